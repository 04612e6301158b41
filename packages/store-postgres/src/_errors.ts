/**
 * How `postgresStore` reports PostgreSQL failures (internal): unique violations (SQLSTATE 23505) become
 * `ConflictError` naming the column, everything else (connection refused, statement timeout, a missing table) a
 * `StoreError` whose `cause` is the driver's own error. Messages name the operation, never a value: PostgreSQL's
 * `detail` (which quotes the duplicate value, e.g. a digest) is only parsed for the column name.
 * @module
 */
import { ConflictError, StoreError } from "@portcullis/core";

/** The fields of the drivers' errors that we read: node-postgres/PGlite (`constraint`), postgres.js (`constraint_name`). */
interface DriverError {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly constraint_name?: unknown;
  readonly detail?: unknown;
}

/** Constraint name → the field a `ConflictError` names. */
const CONSTRAINT_FIELDS: Readonly<Record<string, string>> = {
  portcullis_users_pkey: "id",
  portcullis_users_username_key: "username",
  portcullis_tokens_pkey: "id",
  portcullis_tokens_digest_key: "digest",
  portcullis_django_tokens_pkey: "id",
  portcullis_django_tokens_digest_key: "digest",
  portcullis_sessions_pkey: "id",
  portcullis_sessions_digest_key: "digest",
  portcullis_jwt_outstanding_pkey: "jti",
  auth_user_pkey: "id",
  auth_user_username_key: "username",
};

/** The field of a unique violation, if the error is one. */
function conflictField(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, constraint, constraint_name: constraintName, detail } = error as DriverError;
  if (code !== "23505") return undefined;
  const name = String(constraint ?? constraintName ?? "");
  return CONSTRAINT_FIELDS[name] ?? /^Key \((\w+)\)=/.exec(String(detail ?? ""))?.[1] ?? "unique";
}

/** Translates an error thrown by the driver during `operation`. */
export function toStoreError(operation: string, error: unknown): StoreError | ConflictError {
  if (error instanceof StoreError || error instanceof ConflictError) return error;
  const field = conflictField(error);
  if (field !== undefined) return new ConflictError(field);
  return new StoreError(`PostgreSQL ${operation} failed`, { cause: error });
}

/** Runs one store operation, translating whatever the driver throws. */
export async function attempt<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toStoreError(operation, error);
  }
}

/** An answer of PostgreSQL that cannot be right (a missing row, a malformed column). */
export function badAnswer(operation: string): StoreError {
  return new StoreError(`PostgreSQL ${operation} gave an unexpected answer`);
}

/**
 * Runs a lookup by `values`, or answers `none` without a query when one of them holds a NUL byte: PostgreSQL text
 * cannot hold NUL, so no row can match, and the driver would fail the query. Malformed input (a NUL in a Basic
 * username) is then "not found" (a 401), never a store failure (a 503 anyone could trigger, and a log line).
 */
export function lookup<T>(operation: string, values: readonly string[], none: T, run: () => Promise<T>): Promise<T> {
  return values.some((value) => typeof value === "string" && value.includes("\0")) ? Promise.resolve(none) : attempt(operation, run);
}
