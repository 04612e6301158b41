/**
 * The contract between `verifyPassword` and the per-algorithm modules.
 * @module
 */

/**
 * What an algorithm module answers for one encoded hash: `true` or `false` after doing the work, or `null` when
 * the hash cannot be checked (malformed, over a work-factor cap, library missing) and no work was done.
 */
export type Verdict = boolean | null;

/** Verifies a password against an encoded hash of one algorithm family. Must not throw for bad input. */
export type Verifier = (password: string, encoded: string) => Promise<Verdict>;
