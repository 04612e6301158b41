import { Buffer } from "node:buffer";
import { describe, expect, it, vi } from "vitest";
import { memoryStore } from "@portcullis/store-memory";
import type { AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { guard } from "../guard.js";
import { compat } from "../compat/index.js";
import { hashPassword, passwordHashers, verifyPassword } from "../passwords/index.js";
import { allowAny } from "../permissions/builtin.js";
import { toResponse } from "../response.js";
import type { Store, User } from "../store/types.js";
import { basicMessages, type BasicUserStore } from "./basic.js";
import { basicAuth } from "./basic.js";

const b64 = (text: string, encoding: BufferEncoding = "utf8") => Buffer.from(text, encoding).toString("base64");

function withAuthorization(value?: string): Request {
  return new Request("https://api.test/", value === undefined ? {} : { headers: { Authorization: value } });
}

async function answer(response: Response) {
  return {
    status: response.status,
    challenge: response.headers.get("WWW-Authenticate"),
    type: response.headers.get("Content-Type"),
    body: await response.text(),
  };
}

interface Person {
  readonly name: string;
  readonly isActive?: boolean;
}

/** A `verify` that records its calls: alice/s3cret is active, carol/s3cret inactive. */
function verifier() {
  const calls: [string, string, AuthContext][] = [];
  const verify = async (username: string, password: string, ctx: AuthContext): Promise<Person | null> => {
    calls.push([username, password, ctx]);
    if (password !== "s3cret") return null;
    if (username === "alice") return { name: "alice" };
    if (username === "carol") return { name: "carol", isActive: false };
    return null;
  };
  return { verify, calls };
}

describe("basicAuth with verify", () => {
  const { verify, calls } = verifier();
  const scheme = basicAuth({ verify });
  const protect = guard({ schemes: [scheme], permissions: [allowAny] });

  it("skips requests without a Basic header", async () => {
    for (const value of [undefined, "Token abc", "Basically YWxpY2U6czNjcmV0", "Digest username=alice"]) {
      expect(await scheme.authenticate(withAuthorization(value), {})).toEqual({ type: "skip" });
    }
  });

  it("authenticates good credentials, handing verify the username, password and ctx", async () => {
    calls.length = 0;
    const ctx: AuthContext = { clientIp: "192.0.2.1" };
    const decision = await protect(withAuthorization(`Basic ${b64("alice:s3cret")}`), ctx);
    expect(decision).toEqual({ allowed: true, user: { name: "alice" }, auth: null, scheme: "basic" });
    expect(calls).toEqual([["alice", "s3cret", ctx]]);
  });

  it.each([
    ["lower case", `basic ${b64("alice:s3cret")}`],
    ["mixed case", `bAsIc ${b64("alice:s3cret")}`],
    ["upper case", `BASIC ${b64("alice:s3cret")}`],
    ["a tab", `Basic\t${b64("alice:s3cret")}`],
    ["a run of whitespace", `Basic \v\f ${b64("alice:s3cret")}`],
  ])("matches the keyword case-insensitively and splits on ASCII whitespace (%s)", async (_, value) => {
    expect((await scheme.authenticate(withAuthorization(value), {})).type).toBe("success");
  });

  it("takes the password as everything after the first colon", async () => {
    calls.length = 0;
    await scheme.authenticate(withAuthorization(`Basic ${b64("user:pa:ss")}`), {});
    await scheme.authenticate(withAuthorization(`Basic ${b64("user:")}`), {});
    await scheme.authenticate(withAuthorization(`Basic ${b64(":pw")}`), {});
    expect(calls.map(([u, p]) => [u, p])).toEqual([
      ["user", "pa:ss"],
      ["user", ""],
      ["", "pw"],
    ]);
  });

  it("decodes UTF-8 credentials, and latin-1 ones when the bytes are not UTF-8", async () => {
    calls.length = 0;
    await scheme.authenticate(withAuthorization(`Basic ${b64("jos\u00e9:p\u00e4ss\u20ac")}`), {});
    await scheme.authenticate(withAuthorization(`Basic ${b64("jos\u00e9:p\u00e4ss", "latin1")}`), {});
    expect(calls.map(([u, p]) => [u, p])).toEqual([
      ["jos\u00e9", "p\u00e4ss\u20ac"],
      ["jos\u00e9", "p\u00e4ss"],
    ]);
  });

  it("keeps a leading byte order mark in the username (no user `alice` is found through `\\ufeffalice`)", async () => {
    calls.length = 0;
    const result = await scheme.authenticate(withAuthorization(`Basic ${b64("\ufeffalice:s3cret")}`), {});
    expect(calls.map(([u]) => u)).toEqual(["\ufeffalice"]);
    expect(result).toEqual({ type: "failure", detail: basicMessages.invalidCredentials });
  });

  it.each([
    ["the keyword alone", "Basic", basicMessages.noCredentials],
    ["the keyword and blanks", "Basic \f\v", basicMessages.noCredentials],
    ["two parts", "Basic a b", basicMessages.spaces],
    ["three parts", `Basic ${b64("alice:s3cret")} x y`, basicMessages.spaces],
    ["characters outside the alphabet", "Basic !!!!", basicMessages.badEncoding],
    ["unpadded base64", `Basic ${b64("alice:pw").replace(/=+$/, "")}`, basicMessages.badEncoding],
    ["URL-safe base64", "Basic dTo_Pz8=", basicMessages.badEncoding], // "u:???" is dTo/Pz8=
    ["a bad length", "Basic YWxpY2U6czNjcmV0Q", basicMessages.badEncoding],
    ["no colon", `Basic ${b64("alices3cret")}`, basicMessages.badEncoding],
    ["empty decoded credentials", "Basic ====", basicMessages.badEncoding],
    ["an unknown user", `Basic ${b64("mallory:s3cret")}`, basicMessages.invalidCredentials],
    ["a wrong password", `Basic ${b64("alice:wrong")}`, basicMessages.invalidCredentials],
    ["an inactive user", `Basic ${b64("carol:s3cret")}`, basicMessages.inactive],
  ])("fails on %s with DRF's detail, 401 and the Basic challenge", async (_, value, detail) => {
    const decision = await protect(withAuthorization(value));
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(await answer(toResponse(decision.error))).toEqual({
      status: 401,
      challenge: 'Basic realm="api"',
      type: "application/json",
      body: JSON.stringify({ detail }),
    });
  });

  it("never calls verify for a malformed header", async () => {
    calls.length = 0;
    for (const value of ["Basic", "Basic a b", "Basic !!!!", `Basic ${b64("nocolon")}`]) {
      await scheme.authenticate(withAuthorization(value), {});
    }
    expect(calls).toEqual([]);
  });

  it("challenges with a custom realm and reports a custom name", async () => {
    const custom = basicAuth({ verify, realm: "Staff area", name: "ldap" });
    expect(custom.challenge?.(withAuthorization())).toBe('Basic realm="Staff area"');
    const decision = await guard({ schemes: [custom] })(withAuthorization(`Basic ${b64("alice:s3cret")}`));
    expect(decision).toMatchObject({ allowed: true, scheme: "ldap" });
    const denied = await guard({ schemes: [custom] })(withAuthorization());
    expect(!denied.allowed && denied.error.headers).toEqual({ "WWW-Authenticate": 'Basic realm="Staff area"' });
  });

  it.each(["", 'say "hi"', "back\\slash", "caf\u00e9", "tab\there", "x".repeat(201), 7])(
    "refuses realm %j with ConfigError",
    (realm) => {
      expect(() => basicAuth({ verify, realm: realm as string })).toThrow(/^realm: /);
    },
  );

  it("refuses options with neither users nor verify", () => {
    for (const options of [{}, { verify: "nope" }, null, undefined]) {
      expect(() => basicAuth(options as unknown as Parameters<typeof basicAuth>[0])).toThrow(ConfigError);
    }
    expect(() => basicAuth({ users: {} as BasicUserStore })).toThrow(/^users: /);
  });
});

describe("basicAuth with a store", () => {
  async function setup() {
    const store = memoryStore();
    const legacy = await hashPassword("old-pw", { iterations: 1000 });
    const current = await hashPassword("s3cret");
    const alice = await store.createUser({ username: "alice", passwordHash: current, isStaff: true });
    const bob = await store.createUser({ username: "bob", passwordHash: legacy });
    const carol = await store.createUser({ username: "carol", passwordHash: current, isActive: false });
    return { store, alice, bob, carol, current, legacy };
  }

  /** A store whose `setPasswordHash` calls are recorded (and may fail). */
  function recording(store: Store, fail = false) {
    const updates: [string, string][] = [];
    const users: BasicUserStore = {
      getUserByUsername: (username) => store.getUserByUsername(username),
      setPasswordHash: async (userId, hash) => {
        updates.push([userId, hash]);
        if (fail) throw new Error("read-only replica");
        return store.setPasswordHash(userId, hash);
      },
    };
    return { users, updates };
  }

  it("authenticates a user; the user has no password hash", async () => {
    const { store, alice } = await setup();
    const { users, updates } = recording(store);
    const decision = await guard({ schemes: [basicAuth({ users, counters: store })] })(withAuthorization(`Basic ${b64("alice:s3cret")}`));
    expect(decision).toEqual({ allowed: true, user: alice, auth: null, scheme: "basic" });
    expect(decision.allowed && Object.keys(decision.user as User).sort()).toEqual(["id", "isActive", "isStaff", "username"]);
    expect(updates).toEqual([]);
  });

  it("answers `Invalid username/password.` for an unknown user, a wrong password and an inactive user", async () => {
    const { store } = await setup();
    const protect = guard({ schemes: [basicAuth({ users: store })], permissions: [allowAny] });
    for (const credentials of ["mallory:s3cret", "alice:wrong", "carol:s3cret", "Alice:s3cret"]) {
      const decision = await protect(withAuthorization(`Basic ${b64(credentials)}`));
      expect(!decision.allowed && (await answer(toResponse(decision.error)))).toEqual({
        status: 401,
        challenge: 'Basic realm="api"',
        type: "application/json",
        body: JSON.stringify({ detail: basicMessages.invalidCredentials }),
      });
    }
  });

  it("upgrades a low-iteration hash after a successful login, and only then", async () => {
    const { store, bob, legacy } = await setup();
    const { users, updates } = recording(store);
    const protect = guard({ schemes: [basicAuth({ users, counters: store })] });

    expect((await protect(withAuthorization(`Basic ${b64("bob:wrong")}`))).allowed).toBe(false);
    expect(updates).toEqual([]);

    expect((await protect(withAuthorization(`Basic ${b64("bob:old-pw")}`))).allowed).toBe(true);
    expect(updates.map(([id]) => id)).toEqual([bob.id]);
    const upgraded = (await store.getUserByUsername("bob"))?.passwordHash ?? "";
    expect(upgraded).not.toBe(legacy);
    expect(upgraded).toMatch(/^pbkdf2_sha256\$1000000\$/);
    expect(await verifyPassword("old-pw", upgraded)).toEqual({ valid: true, needsRehash: false });

    expect((await protect(withAuthorization(`Basic ${b64("bob:old-pw")}`))).allowed).toBe(true);
    expect(updates).toHaveLength(1);
  });

  it("hands the upgrade to ctx.waitUntil when there is one", async () => {
    const { store, legacy } = await setup();
    const waitUntil = vi.fn<(promise: Promise<unknown>) => void>();
    const decision = await guard({ schemes: [basicAuth({ users: store })] })(withAuthorization(`Basic ${b64("bob:old-pw")}`), {
      waitUntil,
    });
    expect(decision.allowed).toBe(true);
    expect(waitUntil).toHaveBeenCalledTimes(1);
    await waitUntil.mock.calls[0]?.[0];
    expect((await store.getUserByUsername("bob"))?.passwordHash).not.toBe(legacy);
  });

  it("a failing upgrade leaves the login standing", async () => {
    const { store, legacy } = await setup();
    const { users, updates } = recording(store, true);
    const decision = await guard({ schemes: [basicAuth({ users, counters: store })] })(withAuthorization(`Basic ${b64("bob:old-pw")}`));
    expect(decision.allowed).toBe(true);
    expect(updates).toHaveLength(1);
    expect((await store.getUserByUsername("bob"))?.passwordHash).toBe(legacy);
  });

  it("an unusable hash (`!…`) never authenticates", async () => {
    const store = memoryStore();
    await store.createUser({ username: "dave", passwordHash: "!unusable" });
    const decision = await guard({ schemes: [basicAuth({ users: store })] })(withAuthorization(`Basic ${b64("dave:!unusable")}`));
    expect(!decision.allowed && decision.error.detail).toBe(basicMessages.invalidCredentials);
  });
});

describe("basicAuth per DRF release (compat)", () => {
  it("DRF 3.14 reads credentials without a colon as a username with an empty password; 3.15+ as malformed", async () => {
    const { verify, calls } = verifier();
    const drf314 = basicAuth({ verify, compat: compat({ drf: "3.14" }) });
    const drf315 = basicAuth({ verify, compat: compat({ drf: "3.15.1" }) });
    const request = () => withAuthorization(`Basic ${b64("alices3cret")}`);
    expect(await drf314.authenticate(request(), {})).toMatchObject({ type: "failure", detail: basicMessages.invalidCredentials });
    expect(calls.map(([username, password]) => [username, password])).toEqual([["alices3cret", ""]]);
    expect(await drf315.authenticate(request(), {})).toMatchObject({ type: "failure", detail: basicMessages.badEncoding });
    expect(calls).toHaveLength(1);
  });

  it("takes the compat of passwordHashers, and refuses a compat that differs from it", () => {
    const store = memoryStore();
    const releases = compat({ django: "3.2", drf: "3.14" });
    expect(() => basicAuth({ users: store, bruteForce: false, passwordHashers: passwordHashers({ compat: releases }) })).not.toThrow();
    expect(() => basicAuth({ users: store, bruteForce: false, passwordHashers: passwordHashers({ compat: releases }), compat: compat({ drf: "3.14" }) })).toThrow(ConfigError);
  });
});
