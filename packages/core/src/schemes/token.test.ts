import { describe, expect, it, vi } from "vitest";
import type { AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { guard } from "../guard.js";
import { allowAny } from "../permissions/builtin.js";
import { toResponse } from "../response.js";
import type { Store, TokenRecord, User } from "../store/types.js";
import { tokenDigest } from "../tokens/tokens.js";
import { tokenAuth, tokenMessages } from "./token.js";

const T0 = 1_700_000_000_000;
const KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";
const alice: User = { id: "u1", username: "alice", isActive: true, isStaff: false };
const record: TokenRecord = { id: "t1", userId: "u1", name: "laptop", createdAt: T0, expiresAt: null };

/** An in-test token table keyed by digest, recording what it was asked. */
function tokenTable(rows: { key: string; token: TokenRecord; user: User }[]) {
  const byDigest = new Map(rows.map((row) => [tokenDigest(row.key), { token: row.token, user: row.user }]));
  const lookups: string[] = [];
  const deleted: string[] = [];
  const store: Pick<Store, "findToken" | "deleteToken"> = {
    async findToken(digest) {
      lookups.push(digest);
      return byDigest.get(digest) ?? null;
    },
    async deleteToken(tokenId) {
      deleted.push(tokenId);
      return true;
    },
  };
  return { store, lookups, deleted };
}

function withAuthorization(value?: string): Request {
  return new Request("https://api.test/", value === undefined ? {} : { headers: { Authorization: value } });
}

async function answer(response: Response) {
  return {
    status: response.status,
    challenge: response.headers.get("WWW-Authenticate"),
    type: response.headers.get("Content-Type"),
    body: (await response.json()) as unknown,
  };
}

describe("tokenAuth", () => {
  const table = tokenTable([{ key: KEY, token: record, user: alice }]);
  const scheme = tokenAuth({ store: table.store });

  it("skips requests without a Token header", async () => {
    for (const value of [undefined, "Basic dXNlcjpwYXNz", "Bearer abc", "Tokens abc", `Tok ${KEY}`]) {
      expect(await scheme.authenticate(withAuthorization(value), {})).toEqual({ type: "skip" });
    }
  });

  it("authenticates a valid key; auth is the token record, without key or digest", async () => {
    const result = await scheme.authenticate(withAuthorization(`Token ${KEY}`), {});
    expect(result).toEqual({ type: "success", user: alice, auth: record });
    const serialized = JSON.stringify(result);
    expect(serialized).not.toContain(KEY);
    expect(serialized).not.toContain(tokenDigest(KEY));
    expect(scheme.name).toBe("token");
  });

  it("looks the key up by its SHA-256 digest", async () => {
    table.lookups.length = 0;
    await scheme.authenticate(withAuthorization(`Token ${KEY}`), {});
    expect(table.lookups).toEqual([tokenDigest(KEY)]);
    expect(tokenDigest(KEY)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([`token ${KEY}`, `TOKEN ${KEY}`, `tOkEn\t${KEY}`, `Token\v${KEY}`, `\fToken  ${KEY}\v`])(
    "matches the keyword case-insensitively and splits on ASCII whitespace: %j",
    async (value) => {
      expect((await scheme.authenticate(withAuthorization(value), {})).type).toBe("success");
    },
  );

  it.each([
    ["the keyword alone", "Token", tokenMessages.noCredentials],
    ["the keyword and blanks", "Token \v ", tokenMessages.noCredentials],
    ["two parts after the keyword", `Token ${KEY} extra`, tokenMessages.spaces],
    ["a latin-1 byte that is not UTF-8", "Token abc\u00ff", tokenMessages.invalidCharacters],
    ["a lone UTF-8 continuation byte", "Token \u0080abc", tokenMessages.invalidCharacters],
    ["an unknown key", "Token 0000000000000000000000000000000000000000", tokenMessages.invalidToken],
    ["valid UTF-8 that no key matches", "Token caf\u00c3\u00a9", tokenMessages.invalidToken],
  ])("fails on %s with DRF's detail, 401 and `WWW-Authenticate: Token`", async (_, value, detail) => {
    const protect = guard({ schemes: [scheme], permissions: [allowAny] });
    const decision = await protect(withAuthorization(value));
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(await answer(toResponse(decision.error))).toEqual({
      status: 401,
      challenge: "Token",
      type: "application/json",
      body: { detail },
    });
    expect(decision.error.code).toBe("authentication_failed");
  });

  it("decodes a key sent as UTF-8 bytes before hashing it", async () => {
    table.lookups.length = 0;
    await scheme.authenticate(withAuthorization("Token caf\u00c3\u00a9"), {});
    expect(table.lookups).toEqual([tokenDigest("caf\u00e9")]);
  });

  it("keeps a UTF-8 byte order mark as part of the key, so a BOM-prefixed key is invalid", async () => {
    const result = await scheme.authenticate(withAuthorization(`Token \u00ef\u00bb\u00bf${KEY}`), {});
    expect(result).toEqual({ type: "failure", detail: tokenMessages.invalidToken });
  });

  it("refuses a token of an inactive user with `User inactive or deleted.`", async () => {
    const bob: User = { id: "u2", username: "bob", isActive: false, isStaff: false };
    const { store } = tokenTable([{ key: KEY, token: { ...record, userId: "u2" }, user: bob }]);
    expect(await tokenAuth({ store }).authenticate(withAuthorization(`Token ${KEY}`), {})).toEqual({
      type: "failure",
      detail: tokenMessages.inactive,
    });
  });

  describe("expiry (with ctx.now)", () => {
    const expiring = { ...record, expiresAt: T0 + 60_000 };

    it("accepts a token before its expiry", async () => {
      const { store } = tokenTable([{ key: KEY, token: expiring, user: alice }]);
      const result = await tokenAuth({ store }).authenticate(withAuthorization(`Token ${KEY}`), { now: () => T0 + 59_999 });
      expect(result.type).toBe("success");
    });

    it("answers `Invalid token.` at and after expiry and deletes the token through waitUntil", async () => {
      for (const now of [T0 + 60_000, T0 + 3_600_000]) {
        const { store, deleted } = tokenTable([{ key: KEY, token: expiring, user: alice }]);
        const waitUntil = vi.fn<(promise: Promise<unknown>) => void>();
        const ctx: AuthContext = { now: () => now, waitUntil };
        const result = await tokenAuth({ store }).authenticate(withAuthorization(`Token ${KEY}`), ctx);
        expect(result).toEqual({ type: "failure", detail: tokenMessages.invalidToken });
        expect(waitUntil).toHaveBeenCalledTimes(1);
        await waitUntil.mock.calls[0]?.[0];
        expect(deleted).toEqual([expiring.id]);
      }
    });

    it("checks expiry before the user's state: an expired token of an inactive user is just invalid", async () => {
      const { store } = tokenTable([{ key: KEY, token: expiring, user: { ...alice, isActive: false } }]);
      const result = await tokenAuth({ store }).authenticate(withAuthorization(`Token ${KEY}`), { now: () => T0 + 60_000 });
      expect(result).toEqual({ type: "failure", detail: tokenMessages.invalidToken });
    });

    it("a failing delete of an expired token is swallowed", async () => {
      const store: Pick<Store, "findToken" | "deleteToken"> = {
        findToken: async () => ({ token: expiring, user: alice }),
        deleteToken: () => Promise.reject(new Error("down")),
      };
      let pending: Promise<unknown> = Promise.resolve();
      const ctx: AuthContext = { now: () => T0 + 60_000, waitUntil: (p) => (pending = p) };
      await tokenAuth({ store }).authenticate(withAuthorization(`Token ${KEY}`), ctx);
      await expect(pending).resolves.toBe(false);
    });
  });

  describe("keyword", () => {
    const bearer = tokenAuth({ store: table.store, keyword: "Bearer" });

    it("`Bearer` authenticates Bearer headers, skips Token headers, challenges with `Bearer`", async () => {
      expect((await bearer.authenticate(withAuthorization(`Bearer ${KEY}`), {})).type).toBe("success");
      expect((await bearer.authenticate(withAuthorization(`bearer ${KEY}`), {})).type).toBe("success");
      expect(await bearer.authenticate(withAuthorization(`Token ${KEY}`), {})).toEqual({ type: "skip" });
      expect(bearer.name).toBe("bearer");
      const decision = await guard({ schemes: [bearer] })(withAuthorization("Bearer"));
      expect(!decision.allowed && (await answer(toResponse(decision.error)))).toEqual({
        status: 401,
        challenge: "Bearer",
        type: "application/json",
        body: { detail: tokenMessages.noCredentials },
      });
    });

    it("reports a custom name as the scheme", async () => {
      const named = tokenAuth({ store: table.store, name: "api-key" });
      const decision = await guard({ schemes: [named] })(withAuthorization(`Token ${KEY}`));
      expect(decision).toMatchObject({ allowed: true, scheme: "api-key", user: alice, auth: record });
    });

    it.each(["", "Bearer token", "Tok\u00e9n", 'Tok"en', 42])("refuses keyword %j with ConfigError", (keyword) => {
      expect(() => tokenAuth({ store: table.store, keyword: keyword as string })).toThrow(ConfigError);
    });

    it("refuses a missing store with ConfigError naming it", () => {
      expect(() => tokenAuth({} as Parameters<typeof tokenAuth>[0])).toThrow(/^store: /);
      expect(() => tokenAuth(undefined as unknown as Parameters<typeof tokenAuth>[0])).toThrow(ConfigError);
    });
  });
});
