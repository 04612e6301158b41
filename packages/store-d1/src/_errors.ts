/**
 * How `d1Store` reports D1 failures (internal): UNIQUE violations become `ConflictError`, everything else a
 * `StoreError` whose `cause` is D1's own error. Messages name the operation, never a value.
 * @module
 */
import { ConflictError, StoreError } from "@portcullis/core";

/** The column of a `UNIQUE constraint failed: table.column` message, if the error is one. */
function uniqueColumnOf(error: unknown): string | undefined {
  const message = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
  return /UNIQUE constraint failed: \w+\.(\w+)/.exec(message)?.[1];
}

/** Translates an error thrown by D1 during `operation`. */
export function toStoreError(operation: string, error: unknown): StoreError | ConflictError {
  if (error instanceof StoreError || error instanceof ConflictError) return error;
  const column = uniqueColumnOf(error);
  if (column !== undefined) return new ConflictError(column);
  return new StoreError(`D1 ${operation} failed`, { cause: error });
}

/** Runs one store operation, translating whatever D1 throws. */
export async function attempt<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}

/** An answer of D1 that cannot be right (a missing row, a malformed column). */
export function badAnswer(operation: string): StoreError {
  return new StoreError(`D1 ${operation} gave an unexpected answer`);
}
