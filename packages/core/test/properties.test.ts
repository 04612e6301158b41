/**
 * Property-based tests (fast-check) of header parsing and `authenticate()` over arbitrary `Authorization` values.
 * Every outcome is checked against a reference model written here from DRF's rules with Node's own decoders
 * (`Buffer`), not with the code under test. `PORTCULLIS_FUZZ_RUNS` sets the total number of runs (default
 * 10,000); `pnpm fuzz` runs 200,000. `PORTCULLIS_FUZZ_SEED` replays a seed that fast-check reported.
 */
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { memoryStore } from "@portcullis/store-memory";
import type { AnyScheme, AuthResult, Scheme } from "@portcullis/core";
import { authenticate, basicAuth, basicMessages, issueToken, toResponse, tokenAuth, tokenMessages } from "@portcullis/core";
import { decodeBase64Strict, encodeBase64 } from "../src/internal/base64.js";

const TOTAL_RUNS = positiveIntegerFromEnv("PORTCULLIS_FUZZ_RUNS") ?? 10_000;
const SEED = process.env.PORTCULLIS_FUZZ_SEED ? Number(process.env.PORTCULLIS_FUZZ_SEED) : undefined;
const TIMEOUT_MS = Math.max(60_000, TOTAL_RUNS * 20);
const T0 = 1_700_000_000_000;

function positiveIntegerFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

/** fast-check parameters for a property that takes `fraction` of the total runs. */
function runs<T>(fraction: number): fc.Parameters<T> {
  const numRuns = Math.max(1, Math.round(TOTAL_RUNS * fraction));
  return SEED === undefined ? { numRuns } : { numRuns, seed: SEED };
}

// ---------------------------------------------------------------------------------------------------------------
// The reference model: Python's bytes.split(), strict RFC 4648 base64 by regex + Buffer, UTF-8 by round trip.

const PYTHON_WHITESPACE = new Set([" ", "\t", "\n", "\v", "\f", "\r"]);
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function referenceSplit(value: string | null): string[] | null {
  if (value === null) return null;
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && !PYTHON_WHITESPACE.has(value[i] as string)) continue;
    if (i > start) parts.push(value.slice(start, i));
    start = i + 1;
  }
  return parts.length === 0 ? null : parts;
}

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/** Strict UTF-8: the decoded text, or null when the bytes do not survive a round trip (invalid UTF-8). */
function utf8OrNull(bytes: Buffer): string | null {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? text : null;
}

type Expected =
  | { readonly status: "skip" }
  | { readonly status: "authenticated"; readonly user: unknown; readonly auth: unknown }
  | { readonly status: "failed"; readonly detail: string };

const failed = (detail: string): Expected => ({ status: "failed", detail });

/** What a scheme should answer for a split header, and what its `verify` should receive (Basic only). */
interface Prediction {
  readonly expected: Expected;
  readonly credentials?: readonly [string, string];
}

/** A scheme under test with its model. */
interface Modelled {
  readonly scheme: AnyScheme;
  readonly keyword: string;
  model(parts: readonly string[]): Prediction;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: Basic with a recording verify, Token and Bearer on one memoryStore, and a custom scheme without a
// challenge (`ApiKey open-sesame`).

const verifyCalls: [string, string][] = [];
const ALICE = { id: "v-alice", isActive: true };
const CAROL = { id: "v-carol", isActive: false };

async function verify(username: string, password: string) {
  verifyCalls.push([username, password]);
  if (password !== "s3cret") return null;
  return username === "alice" ? ALICE : username === "carol" ? CAROL : null;
}

const basic = basicAuth({ verify });

function basicModelled(): Modelled {
  const model = (parts: readonly string[]) => {
    if (parts.length === 1) return { expected: failed(basicMessages.noCredentials) };
    if (parts.length > 2) return { expected: failed(basicMessages.spaces) };
    const encoded = parts[1] as string;
    if (!STRICT_BASE64.test(encoded)) return { expected: failed(basicMessages.badEncoding) };
    const bytes = Buffer.from(encoded, "base64");
    const text = utf8OrNull(bytes) ?? bytes.toString("latin1");
    const colon = text.indexOf(":");
    if (colon < 0) return { expected: failed(basicMessages.badEncoding) };
    const credentials = [text.slice(0, colon), text.slice(colon + 1)] as const;
    const [username, password] = credentials;
    if (password !== "s3cret" || (username !== "alice" && username !== "carol")) {
      return { expected: failed(basicMessages.invalidCredentials), credentials };
    }
    const expected: Expected =
      username === "alice" ? { status: "authenticated", user: ALICE, auth: null } : failed(basicMessages.inactive);
    return { expected, credentials };
  };
  return { scheme: basic, keyword: "basic", model };
}

/** Known keys and what they answer (filled in `beforeAll`). */
const knownKeys = new Map<string, Expected>();
const keys = { live: "", inactive: "", expired: "" };
const store = memoryStore();

function tokenModelled(keyword: "Token" | "Bearer"): Modelled {
  const model = (parts: readonly string[]) => {
    if (parts.length === 1) return { expected: failed(tokenMessages.noCredentials) };
    if (parts.length > 2) return { expected: failed(tokenMessages.spaces) };
    const key = utf8OrNull(Buffer.from(parts[1] as string, "latin1"));
    if (key === null) return { expected: failed(tokenMessages.invalidCharacters) };
    return { expected: knownKeys.get(key) ?? failed(tokenMessages.invalidToken) };
  };
  return { scheme: tokenAuth({ store, keyword }), keyword: asciiLower(keyword), model };
}

const apiKeyScheme: Scheme<{ id: string }, null> = {
  name: "api-key",
  async authenticate(request) {
    const parts = referenceSplit(request.headers.get("authorization"));
    if (parts === null || asciiLower(parts[0] as string) !== "apikey") return { type: "skip" };
    if (parts.length === 2 && parts[1] === "open-sesame") return { type: "success", user: { id: "robot" }, auth: null };
    return { type: "failure", detail: "Invalid API key." };
  },
};

const apiKey: Modelled = {
  scheme: apiKeyScheme,
  keyword: "apikey",
  model: (parts) => ({
    expected:
      parts.length === 2 && parts[1] === "open-sesame"
        ? { status: "authenticated", user: { id: "robot" }, auth: null }
        : failed("Invalid API key."),
  }),
};

const [token, bearer] = [tokenModelled("Token"), tokenModelled("Bearer")];
const SCHEME_LISTS: Record<string, readonly Modelled[]> = {
  "[]": [],
  "[basic]": [basicModelled()],
  "[token]": [token],
  "[bearer]": [bearer],
  "[basic, token]": [basicModelled(), token],
  "[token, basic]": [token, basicModelled()],
  "[token, bearer, basic]": [token, bearer, basicModelled()],
  "[apiKey, basic, token]": [apiKey, basicModelled(), token],
};

beforeAll(async () => {
  const alice = await store.createUser({ username: "alice", passwordHash: "!" });
  const carol = await store.createUser({ username: "carol", passwordHash: "!", isActive: false });
  const live = await issueToken(store, alice.id, { now: T0 });
  const inactive = await issueToken(store, carol.id, { now: T0 });
  const expired = await issueToken(store, alice.id, { now: T0 - 2_000, ttlMs: 1_000 });
  Object.assign(keys, { live: live.key, inactive: inactive.key, expired: expired.key });
  knownKeys.set(live.key, { status: "authenticated", user: alice, auth: live.token });
  knownKeys.set(inactive.key, failed(tokenMessages.inactive));
  knownKeys.set(expired.key, failed(tokenMessages.invalidToken));
});

// ---------------------------------------------------------------------------------------------------------------
// The check of one header against one scheme list.

/** The first scheme whose keyword the header carries decides (DRF's order: skip, or stop at success/failure). */
function expectedOf(parts: readonly string[] | null, list: readonly Modelled[]): Prediction & { owner?: Modelled } {
  const owner = parts === null ? undefined : list.find((m) => asciiLower(parts[0] as string) === m.keyword);
  if (parts === null || owner === undefined) return { expected: { status: "skip" } };
  return { ...owner.model(parts), owner };
}

interface ExpectedError {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly headers: Readonly<Record<string, string>>;
}

async function checkOne(request: Request, parts: readonly string[] | null, list: readonly Modelled[]): Promise<void> {
  verifyCalls.length = 0;
  const result: AuthResult = await authenticate(request, list.map((m) => m.scheme), { now: () => T0 });
  const { expected, owner, credentials } = expectedOf(parts, list);
  expect(verifyCalls).toEqual(credentials ? [credentials] : []);
  if (expected.status === "skip") {
    expect(result).toStrictEqual({ status: "anonymous", user: null, auth: null });
  } else if (expected.status === "authenticated") {
    const scheme = owner?.scheme.name;
    expect(result).toStrictEqual({ status: "authenticated", user: expected.user, auth: expected.auth, scheme });
  } else {
    const challenge = list[0]?.scheme.challenge?.(request);
    const error: ExpectedError = challenge === undefined
      ? { status: 403, code: "authentication_failed", detail: expected.detail, headers: {} }
      : { status: 401, code: "authentication_failed", detail: expected.detail, headers: { "WWW-Authenticate": challenge } };
    expect(result).toStrictEqual({ status: "failed", error });
    if (result.status === "failed") await checkResponse(toResponse(result.error), error);
  }
}

async function checkResponse(response: Response, error: ExpectedError) {
  expect(response.status).toBe(error.status);
  expect(response.headers.get("Content-Type")).toBe("application/json");
  expect(response.headers.get("WWW-Authenticate")).toBe(error.headers["WWW-Authenticate"] ?? null);
  const body: unknown = JSON.parse(await response.text());
  expect(body).toStrictEqual({ detail: error.detail });
}

/** Whether a `Headers` object accepts the value (it refuses NUL, LF, CR and code units above 0xff). */
function isHeaderValue(value: string): boolean {
  try {
    new Headers({ Authorization: value });
    return true;
  } catch {
    return false;
  }
}

async function checkAllLists(value: string): Promise<void> {
  const request = new Request("https://api.test/", { headers: { Authorization: value } });
  const parts = referenceSplit(request.headers.get("authorization"));
  for (const list of Object.values(SCHEME_LISTS)) await checkOne(request, parts, list);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators.

const b64 = (text: string, encoding: BufferEncoding = "utf8") => Buffer.from(text, encoding).toString("base64");
const latin1Char = fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c));
const latin1String = (maxLength: number) => fc.string({ unit: latin1Char, maxLength });
const wellFormed = (s: string) => Buffer.from(s, "utf8").toString("utf8") === s;
const unicodeString = fc
  .oneof(fc.string({ unit: "binary", maxLength: 24 }), fc.string({ unit: "grapheme", maxLength: 12 }))
  .filter(wellFormed);

const LONG_ALPHABETS = [
  Array.from({ length: 256 }, (_, c) => String.fromCharCode(c)).filter((c) => !"\0\n\r".includes(c)).join(""),
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
  " \t\v\f\u0085\u00a0aZ:=",
  "0123456789abcdef",
];

/** A long value (1 KiB to 64 KiB) drawn from a seeded PRNG: cheap to generate, reproducible from the seed. */
const longValue = fc
  .record({
    prefix: fc.constantFrom("", "Basic ", "Token ", "bEARER\t", "ApiKey ", "basic\v"),
    seed: fc.integer(),
    length: fc.integer({ min: 1024, max: 65_536 }),
    alphabet: fc.constantFrom(...LONG_ALPHABETS),
  })
  .map(({ prefix, seed, length, alphabet }) => {
    let x = seed | 1;
    let out = prefix;
    while (out.length < length) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out += alphabet[(x >>> 0) % alphabet.length];
    }
    return out;
  });

const rawValue = fc
  .oneof({ arbitrary: latin1String(48), weight: 12 }, { arbitrary: longValue, weight: 1 })
  .filter(isHeaderValue);

const blanks = (minLength: number) => fc.string({ unit: fc.constantFrom(" ", "\t", "\v", "\f"), minLength, maxLength: 3 });
const separator = fc.oneof({ arbitrary: blanks(1), weight: 6 }, fc.constantFrom("", "\u0085", "\u00a0", "\u001c", "\u00ff"));
const keyword = fc
  .oneof(
    { arbitrary: fc.constantFrom("Basic", "Token", "Bearer", "ApiKey"), weight: 8 },
    fc.constantFrom("Basically", "Tok", "Digest", ""),
  )
  .chain((k) => fc.mixedCase(fc.constant(k)));

/** Invalid base64 from a valid one: unpadded, URL-safe, a character dropped or added, junk inside. */
const mangledBase64 = fc
  .tuple(
    fc.constantFrom("alice:s3cret", "u:???>>>", "caf\u00e9:\u20ac"),
    fc.integer({ min: 0, max: 4 }),
    fc.integer({ min: 0, max: 15 }),
  )
  .map(([text, how, at]) => {
    const s = b64(text);
    const i = at % s.length;
    const urlSafe = s.replace(/\+/g, "-").replace(/\//g, "_");
    return [s.replace(/=+$/, ""), urlSafe, s.slice(0, i) + s.slice(i + 1), `${s}A`, `${s.slice(0, i)}!${s.slice(i)}`][how] as string;
  });

const credential = fc.oneof(
  {
    arbitrary: fc.constantFrom("alice:s3cret", "carol:s3cret", "alice:wrong", "mallory:s3cret", "alice", ":", "").map((c) => b64(c)),
    weight: 3,
  },
  { arbitrary: fc.constantFrom("live", "inactive", "expired").map((k) => keys[k]), weight: 3 },
  fc.tuple(unicodeString, unicodeString).map(([u, p]) => b64(`${u}:${p}`)),
  fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes).toString("base64")),
  mangledBase64,
  fc.constantFrom("live", "expired").map((k) => `\u00ef\u00bb\u00bf${keys[k]}`),
  unicodeString.map((s) => Buffer.from(s, "utf8").toString("latin1")),
  fc.stringMatching(/^[0-9a-f]{40}$/),
  latin1String(12),
  fc.constant("open-sesame"),
);

const structuredValue = fc
  .tuple(
    blanks(0),
    keyword,
    separator,
    fc.oneof(
      { arbitrary: fc.tuple(fc.tuple(credential, blanks(0))), weight: 4 },
      fc.array(fc.tuple(credential, separator), { maxLength: 3 }),
    ),
    blanks(0),
  )
  .map(([lead, kw, sep, rest, trail]) => lead + kw + sep + rest.map(([c, s]) => c + s).join("") + trail)
  .filter(isHeaderValue);

// ---------------------------------------------------------------------------------------------------------------

describe("authenticate() over arbitrary Authorization values", () => {
  it("the generators really produce what Headers refuses, and the filter removes it", () => {
    for (const bad of ["a\0b", "a\nb", "a\rb", "caf\u0100"]) expect(isHeaderValue(bad)).toBe(false);
    expect(isHeaderValue("\u0001\u007f\u00ff\v\f")).toBe(true);
  });

  it("arbitrary latin-1 values (control characters included, up to 64 KiB): one of three shapes, as the model says", async () => {
    await fc.assert(fc.asyncProperty(rawValue, checkAllLists), runs(0.35));
  }, TIMEOUT_MS);

  it("structured Basic/Token/Bearer/ApiKey values with random case, whitespace runs and valid or broken credentials", async () => {
    await fc.assert(fc.asyncProperty(structuredValue, checkAllLists), runs(0.35));
  }, TIMEOUT_MS);
});

describe("Basic decoding agrees with a reference decoder", () => {
  const recorded: [string, string][] = [];
  const recordingBasic = basicAuth({
    verify: async (username, password) => {
      recorded.push([username, password]);
      return null;
    },
  });

  it("Basic base64(utf8(`u:p`)) hands verify exactly (u, p), with any case and whitespace around", async () => {
    const username = unicodeString.map((s) => s.replaceAll(":", ""));
    const password = fc.oneof(unicodeString, fc.tuple(unicodeString, unicodeString).map(([a, b]) => `${a}:${b}`));
    const header = fc.tuple(fc.mixedCase(fc.constant("Basic")), blanks(1), blanks(0), username, password);
    await fc.assert(
      fc.asyncProperty(header, async ([kw, sep, trail, u, p]) => {
        recorded.length = 0;
        const value = `${kw}${sep}${b64(`${u}:${p}`)}${trail}`;
        const request = new Request("https://api.test/", { headers: { Authorization: value } });
        const result = await authenticate(request, [recordingBasic]);
        expect(recorded).toEqual([[u, p]]);
        expect(result.status).toBe("failed");
      }),
      runs(0.15),
    );
  }, TIMEOUT_MS);

  it("strict base64 decoding equals Buffer's on canonical padded input and refuses every malformed input", () => {
    const alphabetAndJunk = fc.constantFrom(..."ABCDQRSTUwxyz0189+/=".split(""), "-", "_", " ", "\n", "\u00e9");
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 96 }).map((bytes) => Buffer.from(bytes).toString("base64")),
      fc.string({ unit: alphabetAndJunk, maxLength: 16 }),
      mangledBase64,
    );
    fc.assert(
      fc.property(input, fc.uint8Array({ maxLength: 64 }), (s, bytes) => {
        const decoded = decodeBase64Strict(s);
        const reference = Buffer.from(s, "base64");
        if (reference.toString("base64") === s) expect(decoded && Buffer.from(decoded)).toEqual(reference);
        expect(decoded !== null).toBe(STRICT_BASE64.test(s));
        if (decoded !== null) expect(Buffer.from(decoded)).toEqual(reference);
        const canonical = Buffer.from(bytes).toString("base64");
        expect(encodeBase64(bytes)).toBe(canonical);
        expect(decodeBase64Strict(canonical)).toEqual(bytes);
      }),
      runs(0.15),
    );
  }, TIMEOUT_MS);
});
