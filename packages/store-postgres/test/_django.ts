/**
 * Real Django for the Django-mode tests (shared helper): whether Django, DRF and psycopg2 import under
 * /usr/bin/python3, a fresh database migrated by the fixture project's `manage.py migrate`, and Django operations
 * run through its ORM (`django/ops.py`). Without Django (or without a real PostgreSQL server) the tests skip
 * locally with a line naming what to install; with `CI=true` that is a failure.
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { toSqlClient, type PostgresClient } from "../src/index.js";
import { HAS_SERVER, INSTALL_HINT, IS_CI, createDatabase, type TestDatabase } from "./_postgres.js";

const PYTHON = "/usr/bin/python3";
export const DJANGO_DIR = fileURLToPath(new URL("./django/", import.meta.url));
const DJANGO_HINT =
  "install Django, DRF, simplejwt and psycopg2 (apt-get install python3-django python3-djangorestframework python3-djangorestframework-simplejwt python3-psycopg2)";

function djangoImports(): boolean {
  const probe = spawnSync(PYTHON, ["-c", "import django, rest_framework, rest_framework_simplejwt, psycopg2"], { stdio: "ignore" });
  return probe.status === 0;
}

export const HAS_DJANGO = djangoImports();
/** Whether the Django round trips can run here: real Django and a real PostgreSQL server. */
export const CAN_RUN_DJANGO = HAS_DJANGO && HAS_SERVER;

if (IS_CI && !HAS_DJANGO) throw new Error(`store-postgres: CI=true but Django is missing: ${DJANGO_HINT}`);

/** Warns which component a skipped Django test file misses. */
export function announceDjango(what: string): void {
  if (CAN_RUN_DJANGO) console.warn(`[store-postgres] ${what}: real Django ${djangoVersion()} on a real PostgreSQL server`);
  else console.warn(`[store-postgres] skipping ${what}: ${HAS_DJANGO ? INSTALL_HINT : DJANGO_HINT}`);
}

function djangoVersion(): string {
  return execFileSync(PYTHON, ["-c", "import django; print(django.get_version())"], { encoding: "utf8" }).trim();
}

/**
 * Where Django runs: `env` replaces `process.env` (a stack's, from `core/test/_stacks.ts`, to run the newer Django),
 * and `hashers` is the project's `PASSWORD_HASHERS` by algorithm name, preferred first (default: Django's list).
 */
export interface DjangoRun {
  readonly env?: NodeJS.ProcessEnv;
  readonly hashers?: readonly string[];
}

function runEnv(database: TestDatabase, run: DjangoRun): NodeJS.ProcessEnv {
  const hashers = run.hashers === undefined ? {} : { PORTCULLIS_DJANGO_HASHERS: run.hashers.join(",") };
  return { ...(run.env ?? process.env), PORTCULLIS_DJANGO_DB_URL: database.url, ...hashers };
}

/** A fresh database with the fixture project's tables, made by Django's own `manage.py migrate`. */
export async function djangoDatabase(run: DjangoRun = {}): Promise<TestDatabase> {
  const database = await createDatabase("portcullis_dj");
  execFileSync(PYTHON, ["manage.py", "migrate", "--noinput", "-v", "0"], {
    cwd: DJANGO_DIR,
    env: runEnv(database, run),
    stdio: ["ignore", "ignore", "pipe"],
  });
  return database;
}

/** An operation of `django/ops.py`. */
export type DjangoOp =
  | { op: "create_user"; username: string; password: string; is_staff?: boolean; is_active?: boolean }
  | { op: "create_token" | "user" | "has_token"; username: string }
  | { op: "authenticate" | "login_session"; username: string; password: string }
  | { op: "session_user"; key: string };

/** Runs operations through Django's ORM and auth (secrets go through stdin, never argv); answers their results. */
export function djangoOps(database: TestDatabase, ops: readonly DjangoOp[], run: DjangoRun = {}): Array<Record<string, unknown> | null> {
  const out = execFileSync(PYTHON, ["ops.py"], {
    cwd: DJANGO_DIR,
    env: runEnv(database, run),
    input: JSON.stringify(ops),
    encoding: "utf8",
  });
  return JSON.parse(out) as Array<Record<string, unknown> | null>;
}

/** Django's tables that Portcullis reads or writes in Django mode. */
export const DJANGO_TABLES = ["auth_user", "authtoken_token", "django_session", "token_blacklist_outstandingtoken", "token_blacklist_blacklistedtoken"];

/** Django's tables as PostgreSQL describes them: columns, constraints, indexes and triggers of their own. */
export async function djangoSchema(client: PostgresClient): Promise<string> {
  const { rows } = await toSqlClient(client).query(
    `SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' ||
       coalesce(column_default, '') AS what FROM information_schema.columns
     WHERE table_name = ANY($1::text[])
     UNION ALL SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
     FROM pg_constraint WHERE conrelid::regclass::text = ANY($1::text[])
     UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE tablename = ANY($1::text[])
     UNION ALL SELECT 'trigger', tgrelid::regclass || ' ' || tgname FROM pg_trigger
     WHERE tgrelid::regclass::text = ANY($1::text[]) AND NOT tgisinternal
     ORDER BY 1, 2`,
    [`{${DJANGO_TABLES.join(",")}}`],
  );
  return rows.map((row) => `${String(row.kind)}: ${String(row.what)}`).join("\n");
}
