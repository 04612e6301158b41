/**
 * Reading `manage.py dumpdata auth.user authtoken.token` (internal to `importDjango`): every record is validated (zod) before
 * anything is written, and every problem is reported with the record's place in the list (`dump[3]`) and its
 * pk, except a token's pk, which is its key and is never printed.
 * @module
 */
import { z } from "zod";
import { PortcullisError } from "../errors.js";
import { readPermissions, type DumpPermissions } from "./dump-permissions.js";

/** A user of the dump, as Portcullis stores it. */
export interface DumpUser {
  readonly index: number;
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
}

/** A DRF token of the dump: its key (kept in memory only), its user (by id or, natural key, username). */
export interface DumpToken {
  readonly index: number;
  readonly key: string;
  readonly user: { readonly id: string } | { readonly username: string };
  readonly createdAt: number;
}

/** A validated dump. `ignored` counts records of other models. */
export interface Dump {
  readonly users: readonly DumpUser[];
  readonly tokens: readonly DumpToken[];
  /** Permissions and groups (`dumpdata auth`); empty maps when the dump has none. */
  readonly permissions: DumpPermissions;
  readonly ignored: number;
}

/** The dump cannot be imported; `problems` name the records at fault. Nothing was written. */
export class DumpError extends PortcullisError {
  override name = "DumpError";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    const shown = problems.slice(0, 20).map((problem) => `  ${problem}`);
    if (problems.length > 20) shown.push(`  ... and ${problems.length - 20} more`);
    super(["The dump was not imported (nothing was written):", ...shown].join("\n"));
    this.problems = problems;
  }
}

/** Django's datetime text: ISO 8601, `Z` or an offset when USE_TZ is on, naive (taken as UTC) otherwise. */
const DATETIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** Epoch ms of a Django datetime, or NaN. */
export function djangoTime(text: string): number {
  const match = DATETIME.exec(text);
  if (!match) return NaN;
  const [, main, fraction = "", zone = "Z"] = match;
  return Date.parse(`${main}${fraction.slice(0, 4)}${zone}`);
}

// The target's limits, checked before anything is written (a bad record must not stop an import half-way, the
// same record on every re-run): Django's auth_user columns (username varchar(150), password varchar(128)), no NUL
// byte anywhere (PostgreSQL text cannot hold one), and ids a database assigns (a positive integer; `auth.user`'s
// pk is never a string, a custom user model's may be, e.g. a UUID).
const noNul = (text: string) => !text.includes("\0");
const text = (min: number, max: number) => z.string().min(min).max(max).refine(noNul, { error: "must not contain a NUL byte" });
const INT_PK = z.int({ error: "must be a positive integer" }).min(1, { error: "must be a positive integer" });
const PK = z.union([INT_PK, text(1, 255)], { error: "must be a positive integer or a non-empty string" });

function userSchema(pk: z.ZodType<number | string>) {
  return z.object({
    pk,
    fields: z.object({
      username: text(1, 150),
      password: text(0, 128),
      is_active: z.boolean(),
      is_staff: z.boolean(),
      is_superuser: z.boolean().default(false),
    }),
  });
}

/** `auth.user`: an integer pk (Django's AutoField); a custom user model may use strings. */
const DJANGO_USER = userSchema(INT_PK);
const CUSTOM_USER = userSchema(PK);

const TOKEN = z.object({
  pk: z.string().regex(/^[\x21-\x7e]{1,40}$/, { error: "must be a token key: 1 to 40 printable ASCII characters" }),
  fields: z.object({
    user: z.union([PK, z.tuple([text(1, 150)])], { error: "must be a user pk or a natural key [username]" }),
    created: z.string().refine((text) => !Number.isNaN(djangoTime(text)), { error: "must be an ISO 8601 datetime" }),
  }),
});

/** The problems of a failed zod parse, one line each, prefixed by the record's label. */
function problemsOf(label: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${label}: ${issue.path.join(".") || "record"}: ${issue.message}`);
}

/** `dump[3] (auth.user pk 7)`; a token is labelled by its user, never by its pk (the key). */
function labelOf(index: number, model: string, record: Record<string, unknown>, isToken: boolean): string {
  if (!isToken) {
    const pk = record.pk;
    return `dump[${index}] (${model} pk ${typeof pk === "number" || typeof pk === "string" ? pk : "?"})`;
  }
  const user = (record.fields as Record<string, unknown> | undefined)?.user;
  const owner = typeof user === "number" || typeof user === "string" ? ` of user ${user}` : Array.isArray(user) ? ` of user ${String(user[0])}` : "";
  return `dump[${index}] (${model}${owner})`;
}

/** Records read by `readPermissions` (content types only resolve permission pks). */
const PERMISSION_MODELS = new Set(["auth.permission", "auth.group", "contenttypes.contenttype"]);

/** Validates one record; answers a user, a token, "ignored" or problems. */
function readRecord(index: number, raw: unknown, userModel: string): DumpUser | DumpToken | "ignored" | "permissions" | string[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || typeof (raw as { model?: unknown }).model !== "string") {
    return [`dump[${index}]: not a dumpdata record (an object with "model", "pk" and "fields")`];
  }
  const record = raw as Record<string, unknown>;
  const model = (record.model as string).toLowerCase();
  if (model !== userModel && model !== "authtoken.token") return PERMISSION_MODELS.has(model) ? "permissions" : "ignored";
  const label = labelOf(index, model, record, model === "authtoken.token");
  if (model === userModel) {
    if (!("pk" in record)) return [`${label}: no pk (dumped with --natural-primary?): dump again without it, so ids carry over`];
    const user = (userModel === "auth.user" ? DJANGO_USER : CUSTOM_USER).safeParse(record);
    if (!user.success) return problemsOf(label, user.error);
    const { pk, fields } = user.data;
    const { username, password: passwordHash, is_active: isActive, is_staff: isStaff, is_superuser: isSuperuser } = fields;
    return { index, id: String(pk), username, passwordHash, isActive, isStaff, isSuperuser };
  }
  const token = TOKEN.safeParse(record);
  if (!token.success) return problemsOf(label, token.error);
  const { user } = token.data.fields;
  const owner = Array.isArray(user) ? { username: user[0] } : { id: String(user) };
  return { index, key: token.data.pk, user: owner, createdAt: djangoTime(token.data.fields.created) };
}

/** Problems between records: a pk, username or key twice. */
function duplicates(users: readonly DumpUser[], tokens: readonly DumpToken[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const check = (key: string, index: number, what: string) => {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else problems.push(`dump[${index}]: ${what} as dump[${first}]`);
  };
  for (const user of users) check(`id:${user.id}`, user.index, `the same pk (${user.id})`);
  for (const user of users) check(`name:${user.username}`, user.index, `the same username (${user.username})`);
  for (const token of tokens) check(`key:${token.key}`, token.index, "the same token key");
  return problems;
}

/** Parses and validates a whole dump (JSON text, or the parsed list); throws `DumpError` naming every bad record. */
export function parseDump(dump: string | unknown, userModel = "auth.user"): Dump {
  let list: unknown = dump;
  if (typeof dump === "string") {
    try {
      list = JSON.parse(dump);
    } catch {
      throw new DumpError(["the file is not valid JSON"]);
    }
  }
  if (!Array.isArray(list)) throw new DumpError(["the file is not a JSON list of records (as manage.py dumpdata writes)"]);
  const users: DumpUser[] = [];
  const tokens: DumpToken[] = [];
  const problems: string[] = [];
  let ignored = 0;
  const model = userModel.toLowerCase();
  list.forEach((raw, index) => {
    const read = readRecord(index, raw, model);
    if (read === "ignored") ignored++;
    else if (read === "permissions") return;
    else if (Array.isArray(read)) problems.push(...read);
    else if ("key" in read) tokens.push(read);
    else users.push(read);
  });
  problems.push(...duplicates(users, tokens));
  const records = list.map((record: unknown, index) => ({ index, record, model: String((record as { model?: unknown } | null)?.model ?? "").toLowerCase() }));
  const { permissions, problems: permissionProblems } = readPermissions(records, model);
  problems.push(...permissionProblems);
  if (problems.length > 0) throw new DumpError(problems);
  return { users, tokens, permissions, ignored };
}
