/**
 * The token endpoint against real DRF on both stacks (3.14 on Django 3.2, 3.17.2 on Django 4.2; `obtain_auth_token`
 * with DRF's default authentication classes), Portcullis stating the matching `compat()`: the same requests,
 * compared status and body. Differences Portcullis keeps on purpose are listed in the
 * core README and asserted here as differences, so a change on either side shows.
 */
import { memoryStore } from "@portcullis/store-memory";
import { beforeAll, describe, expect, it } from "vitest";
import type { Compat } from "../src/compat/index.js";
import { hashPassword, obtainTokenHandler } from "../src/index.js";
import { stackCompat } from "./_compat.js";
import { djangoStacks, runPython, type DjangoStack } from "./_stacks.js";

interface Case {
  readonly name: string;
  readonly method: string;
  readonly contentType: string | null;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly authorization?: string;
}
interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** The `Allow` header (DRF sends it on every answer, Portcullis on 405s: compared for the method cases). */
  readonly allow: string | null;
}

const PASSWORD = "pw-0123";
const users = [{ username: "alice", password: PASSWORD }, { username: "zoë", password: PASSWORD }];
const utf8 = (text: string) => new TextEncoder().encode(text);
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString("base64")}`;
const credentials = JSON.stringify({ username: "alice", password: PASSWORD });

/** Cases where Portcullis answers exactly what DRF answers. */
const same: Case[] = [
  { name: "a body without Content-Type", method: "POST", contentType: null, body: utf8(credentials) },
  { name: "an empty body without Content-Type", method: "POST", contentType: null, body: utf8("") },
  { name: "JSON in latin-1, as its charset says", method: "POST", contentType: "application/json; charset=latin-1", body: latin1('{"username":"zoë","password":"pw-0123"}') },
  { name: "JSON in ISO-8859-1 with a quoted charset", method: "POST", contentType: 'application/json; charset="ISO-8859-1"', body: latin1('{"username":"zoë","password":"pw-0123"}') },
  { name: "JSON with an unknown charset (Django keeps UTF-8)", method: "POST", contentType: "application/json; charset=bogus", body: utf8(credentials) },
  { name: "JSON in UTF-16 with its BOM", method: "POST", contentType: "application/json; charset=utf-16", body: Uint8Array.from(Buffer.from(`\ufeff${credentials}`, "utf16le")) },
  { name: "JSON with a UTF-8 BOM", method: "POST", contentType: "application/json", body: utf8(`\ufeff${credentials}`) },
  { name: "JSON that is only whitespace", method: "POST", contentType: "application/json", body: utf8(" \n  ") },
  { name: "good credentials and a stale Basic header", method: "POST", contentType: "application/json", body: utf8(credentials), authorization: basic("alice:old") },
  { name: "a GET with a stale Basic header (authentication before the method)", method: "GET", contentType: null, body: utf8(""), authorization: basic("alice:old") },
  { name: "good credentials and an unrelated Token header", method: "POST", contentType: "application/json", body: utf8(credentials), authorization: "Token abc" },
  { name: "good credentials and a good Basic header", method: "POST", contentType: "application/json", body: utf8(credentials), authorization: basic(`alice:${PASSWORD}`) },
  { name: "a wrong password", method: "POST", contentType: "application/json", body: utf8('{"username":"alice","password":"nope"}') },
  { name: "a Basic header without a colon (3.14: an empty password; 3.15+: malformed)", method: "POST", contentType: "application/json", body: utf8(credentials), authorization: basic(`alice${PASSWORD}`) },
  { name: "a Basic header of a username alone", method: "POST", contentType: "application/json", body: utf8(credentials), authorization: basic("alice") },
];

/** Cases where the status matches and the detail differs on purpose (see the core README). */
const sameStatus: Case[] = [
  { name: "Latin-1 bytes declared as UTF-8 (Python's codec message)", method: "POST", contentType: "application/json", body: latin1('{"username":"zoë"}') },
  { name: "a JSON syntax error (Python's decoder message)", method: "POST", contentType: "application/json", body: utf8('{"a" 1}') },
];
/** Methods the view does not handle: 405 with DRF's body and `Allow` header, compared too. */
const wrongMethods: Case[] = ["GET", "PUT", "PATCH", "DELETE"].map((method) => ({
  name: `a ${method} (405 and Allow)`,
  method,
  contentType: method === "GET" ? null : "application/json",
  body: utf8(method === "GET" ? "" : credentials),
}));

/** DRF 3.14 decodes `!!!` leniently to nothing and then reads an empty username; 3.15+ answers the same as Portcullis. */
const lenientBase64: Case = { name: "a Basic header that is not strict base64", method: "POST", contentType: "application/json", body: utf8(credentials), authorization: "Basic !!!" };

async function portcullis(cases: readonly Case[], compat: Compat): Promise<Answer[]> {
  const store = memoryStore();
  for (const u of users) await store.createUser({ username: u.username, passwordHash: await hashPassword(u.password, { iterations: 1000 }) });
  const obtain = obtainTokenHandler({ store, bruteForce: false, compat });
  const answers: Answer[] = [];
  for (const c of cases) {
    const headers = new Headers();
    if (c.contentType !== null) headers.set("Content-Type", c.contentType);
    if (c.authorization) headers.set("Authorization", c.authorization);
    const hasBody = c.method !== "GET" && c.body.byteLength > 0;
    const response = await obtain(new Request("https://api.test/api-token-auth/", { method: c.method, headers, body: hasBody ? c.body : null }));
    answers.push({ status: response.status, body: normalize(await response.json()), allow: response.headers.get("allow") });
  }
  return answers;
}

function drf(stack: DjangoStack, cases: readonly Case[]): Answer[] {
  const requests = cases.map((c) => ({
    method: c.method,
    content_type: c.contentType,
    body_b64: Buffer.from(c.body).toString("base64"),
    authorization: c.authorization ?? null,
  }));
  const spec = { users: users.map((u) => ({ ...u, is_active: true })), requests };
  const script = new URL("./drf/obtain_token.py", import.meta.url).pathname;
  return runPython<Answer[]>(stack, script, spec).map(({ status, body, allow }) => ({ status, body: normalize(body), allow }));
}

/** A token answer compared by shape: DRF's has no `expiry`, and keys are random on both sides. */
function normalize(body: unknown): unknown {
  if (typeof body === "object" && body !== null && "token" in body) return { token: /^[0-9a-f]{40}$/.test(String(body.token)) };
  return body;
}

describe.each(djangoStacks([], "obtain_auth_token parity").map((stack) => [stack.name, stack] as const))("obtain_auth_token parity with real DRF, %s stack", (_name, stack) => {
  let ours: Answer[];
  let theirs: Answer[];
  const malformed = stackCompat(stack).rest.basicWithoutColon === "malformed";
  const sameCases = malformed ? [...same, lenientBase64] : same;
  const statusCases = malformed ? sameStatus : [...sameStatus, lenientBase64];
  beforeAll(async () => {
    const all = [...sameCases, ...statusCases, ...wrongMethods];
    [ours, theirs] = [await portcullis(all, stackCompat(stack)), drf(stack, all)];
  }, 120_000);

  it.each(sameCases.map((c, i) => [c.name, i] as const))("%s: the same status and body", (_, i) => {
    expect({ ...ours[i], allow: null }).toEqual({ ...theirs[i], allow: null });
  });

  it.each(wrongMethods.map((c, i) => [c.name, sameCases.length + statusCases.length + i] as const))("%s: the same status, body and Allow", (_, i) => {
    expect(ours[i]).toEqual(theirs[i]);
    expect(ours[i]?.allow).toBe("POST, OPTIONS");
  });

  it.each(statusCases.map((c, i) => [c.name, sameCases.length + i] as const))("%s: the same status, another detail", (_, i) => {
    expect(ours[i]?.status).toBe(theirs[i]?.status);
    const detail = (body: unknown) => String((body as { detail?: string }).detail);
    expect(detail(ours[i]?.body)).not.toBe(detail(theirs[i]?.body));
    // JSON errors keep DRF's prefix; only Python's own decoder text after it differs.
    if (detail(theirs[i]?.body).startsWith("JSON parse error - ")) expect(detail(ours[i]?.body)).toMatch(/^JSON parse error - /);
  });
});
