/**
 * Password hashing against Django's own `check_password` and `make_password`, on both real stacks, with the
 * matching `compat()`: for each hasher Django ships there, preferred first in `PASSWORD_HASHERS` on both halves,
 * Django verifies what Portcullis writes, Portcullis verifies what Django writes, and the two agree on every row
 * (current, weaker, stronger, another family; right and wrong password) about validity and about a rewrite
 * (`must_update` / `needsRehash`). Overrides behave as a Django subclass of the hasher.
 */
import { describe, expect, it } from "vitest";
import { passwordHashers, type PasswordHashers } from "../src/passwords/index.js";
import { encodePbkdf2 } from "../src/passwords/pbkdf2.js";
import { stackCompat } from "./_compat.js";
import { djangoStacks, runPython, type DjangoStack } from "./_stacks.js";

const SCRIPT = new URL("./drf/hashers.py", import.meta.url).pathname;
const PASSWORD = "lètmein pass phrase";

interface DjangoAnswer {
  readonly checks: { valid: boolean; rehash: boolean }[];
  readonly made: string[];
  readonly preferred: string;
}

function django(stack: DjangoStack, hashers: readonly string[], request: { checks?: { password: string; encoded: string }[]; make?: string[]; overrides?: object }): DjangoAnswer {
  return runPython<DjangoAnswer>(stack, SCRIPT, { hashers, ...request }, { timeoutMs: 300_000 });
}

/** Rows of every family Django ships on the stack, written by Portcullis at the stack's defaults. */
async function familyRows(stack: DjangoStack): Promise<string[]> {
  const defaults = stackCompat(stack).hashers.passwordHashers;
  return Promise.all(defaults.map((algorithm) => passwordHashers({ compat: stackCompat(stack), hashers: [algorithm] }).hash(PASSWORD)));
}

/** Rows of `algorithm` with other parameters than the release's (weaker, stronger, other hash length). */
async function variants(stack: DjangoStack, algorithm: string): Promise<string[]> {
  const releases = stackCompat(stack);
  const with_ = (overrides: object) => passwordHashers({ compat: releases, hashers: [algorithm], overrides: { [algorithm]: overrides } }).hash(PASSWORD);
  const { pbkdf2Iterations: iterations } = releases.hashers;
  switch (algorithm) {
    case "pbkdf2_sha256":
    case "pbkdf2_sha1":
      return [await with_({ iterations: iterations - 1 }), await with_({ iterations: iterations + 1 }), await encodePbkdf2(algorithm, PASSWORD, "shortsalt", iterations)];
    case "argon2":
      return [await with_({ hashLen: releases.hashers.argon2.hashLen === 16 ? 32 : 16 }), await with_({ timeCost: 1 }), await with_({ memoryCost: 65_536, parallelism: 4 })];
    case "bcrypt_sha256":
      return [await with_({ rounds: 11 }), await with_({ rounds: 13 })];
    case "scrypt":
      return [await with_({ p: releases.hashers.scrypt?.p === 1 ? 2 : 1 }), await with_({ n: 8_192 })];
    default:
      return [];
  }
}

async function ours(hashers: PasswordHashers, rows: { password: string; encoded: string }[]) {
  const checks = [];
  for (const { password, encoded } of rows) {
    const { valid, needsRehash } = await hashers.verify(password, encoded);
    checks.push({ valid, rehash: needsRehash });
  }
  return checks;
}

describe.each(djangoStacks(["argon2", "bcrypt"], "the password hasher parity").map((stack) => [stack.name, stack] as const))(
  "hashers on the %s stack",
  (_name, stack) => {
    const releases = stackCompat(stack);
    it.each(releases.hashers.passwordHashers.map((algorithm) => [algorithm]))(
      "%s preferred on both halves: each verifies the other's rows, and they agree on every rewrite",
      async (algorithm) => {
        const order = [algorithm, ...releases.hashers.passwordHashers.filter((other) => other !== algorithm)];
        const hashers = passwordHashers({ compat: releases, hashers: order });
        const mine = await hashers.hash(PASSWORD);
        const theirs = django(stack, order, { make: [PASSWORD] });
        expect(theirs.preferred).toBe(algorithm);
        const rows = [mine, ...theirs.made, ...(await familyRows(stack)), ...(await variants(stack, algorithm))];
        // A wrong password against the rows of the preferred family (the others would only repeat the same work).
        const checks = [
          { password: PASSWORD, encoded: mine }, { password: "wrong", encoded: mine },
          ...rows.slice(1).map((encoded) => ({ password: PASSWORD, encoded })),
          ...rows.slice(-3).map((encoded) => ({ password: "wrong", encoded })),
        ];
        const answer = django(stack, order, { checks });
        const expected = checks.map((row, index) => [row.encoded, row.password, answer.checks[index]]);
        const got = await ours(hashers, checks);
        expect(checks.map((row, index) => [row.encoded, row.password, got[index]])).toEqual(expected);
        // What Portcullis writes is current for Django, and what Django writes is current for Portcullis.
        expect(answer.checks[0]).toEqual({ valid: true, rehash: false });
        expect(got[2]).toEqual({ valid: true, rehash: false }); // Django's own row
      },
      300_000,
    );

    it("a project's subclass (overrides) is what both halves write and keep", async () => {
      const overrides = { pbkdf2_sha256: { iterations: 100_000 } };
      const hashers = passwordHashers({ compat: releases, hashers: ["pbkdf2_sha256"], overrides });
      const mine = await hashers.hash(PASSWORD);
      expect(mine).toMatch(/^pbkdf2_sha256\$100000\$[A-Za-z0-9]{22}\$/);
      const defaultRow = await passwordHashers({ compat: releases, hashers: ["pbkdf2_sha256"] }).hash(PASSWORD);
      const checks = [mine, defaultRow].map((encoded) => ({ password: PASSWORD, encoded }));
      expect(django(stack, ["pbkdf2_sha256"], { checks, overrides }).checks).toEqual(await ours(hashers, checks));
      expect(await ours(hashers, checks)).toEqual([{ valid: true, rehash: false }, { valid: true, rehash: true }]);
    }, 120_000);
  },
);
