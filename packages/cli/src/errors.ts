/**
 * Errors of the `portcullis` CLI (internal): each is printed as its message alone on stderr, and the process
 * exits with its code (1 for a failure, 2 for a usage mistake).
 * @module
 */

/** A failure the CLI reports as one message (never holding a password, key, digest or hash). */
export class CliError extends Error {
  override name = "CliError";
  /** The exit code: 1 for a failure, 2 for a usage mistake, 130 for an interrupted prompt. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A mistake in the command line (exit code 2). */
export function usageError(message: string): CliError {
  return new CliError(`${message}\nSee 'portcullis --help'.`, 2);
}
