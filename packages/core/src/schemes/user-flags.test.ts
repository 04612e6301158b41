/**
 * User flags fail closed: `isActive` / `isStaff` grant only when exactly `true` (a `verify` may leave `isActive`
 * out, meaning active). Raw database values (`0`, `1`, `"0"`, `"false"`) never pass for `true`.
 */
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { obtainTokenHandler } from "../endpoints/obtain-token.js";
import { guard } from "../guard.js";
import { hashPassword } from "../passwords/index.js";
import { isAdminUser } from "../permissions/builtin.js";
import { issueToken } from "../tokens/tokens.js";
import { basicAuth } from "./basic.js";
import { tokenAuth, tokenMessages } from "./token.js";

const PASSWORD = "s3cret-pass";
const basicHeader = (username: string) => ({ Authorization: `Basic ${btoa(`${username}:${PASSWORD}`)}` });
const request = (headers: Record<string, string>) => new Request("https://api.test/", { headers });

/** A real memory store holding a user whose flags are whatever a raw row might carry. */
async function storeWith(flags: { isActive?: unknown; isStaff?: unknown }) {
  const store = memoryStore();
  const passwordHash = await hashPassword(PASSWORD, { iterations: 1000 });
  const user = await store.createUser({ username: "rowuser", passwordHash, ...(flags as object) });
  const { key } = await issueToken(store, user.id);
  return { store, key };
}

/** Values a raw row may carry (`null` is left out: `createUser` reads a missing flag as its default). */
const notTrue: unknown[] = [0, 1, "0", "1", "false", "true", "yes"];

describe("isActive from a store row", () => {
  it.each(notTrue)("isActive %j: Token answers `User inactive or deleted.`, Basic and the login refuse", async (isActive) => {
    const { store, key } = await storeWith({ isActive });
    const viaToken = await tokenAuth({ store }).authenticate(request({ Authorization: `Token ${key}` }), {});
    expect(viaToken).toEqual({ type: "failure", detail: tokenMessages.inactive });
    const viaBasic = await basicAuth({ users: store, bruteForce: false }).authenticate(request(basicHeader("rowuser")), {});
    expect(viaBasic).toEqual({ type: "failure", detail: "Invalid username/password." });
    const login = obtainTokenHandler({ store, bruteForce: false });
    const body = JSON.stringify({ username: "rowuser", password: PASSWORD });
    const res = await login(new Request("https://api.test/", { method: "POST", headers: { "Content-Type": "application/json" }, body }));
    expect(res.status).toBe(400);
  });

  it("isActive true authenticates through Token, Basic and the login", async () => {
    const { store, key } = await storeWith({ isActive: true });
    expect((await tokenAuth({ store }).authenticate(request({ Authorization: `Token ${key}` }), {})).type).toBe("success");
    expect((await basicAuth({ users: store, bruteForce: false }).authenticate(request(basicHeader("rowuser")), {})).type).toBe("success");
  });
});

describe("isActive from basicAuth({ verify })", () => {
  const schemeReturning = (isActive: unknown) =>
    basicAuth({ verify: async () => ({ name: "rowuser", ...(isActive === "absent" ? {} : { isActive }) }) as { isActive?: boolean } });

  it.each([...notTrue, null, false])("isActive %j answers `User inactive or deleted.`", async (isActive) => {
    const result = await schemeReturning(isActive).authenticate(request(basicHeader("rowuser")), {});
    expect(result).toEqual({ type: "failure", detail: "User inactive or deleted." });
  });

  it.each([true, undefined, "absent"])("isActive %j authenticates (undefined and absent mean active)", async (isActive) => {
    expect((await schemeReturning(isActive).authenticate(request(basicHeader("rowuser")), {})).type).toBe("success");
  });
});

describe("isStaff", () => {
  it.each(notTrue)("isStaff %j is not staff: isAdminUser answers 403", async (isStaff) => {
    const { store, key } = await storeWith({ isStaff });
    const decision = await guard({ schemes: [tokenAuth({ store })], permissions: [isAdminUser] })(request({ Authorization: `Token ${key}` }));
    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.error.status).toBe(403);
  });

  it("isStaff true is staff", async () => {
    const { store, key } = await storeWith({ isStaff: true });
    const decision = await guard({ schemes: [tokenAuth({ store })], permissions: [isAdminUser] })(request({ Authorization: `Token ${key}` }));
    expect(decision.allowed).toBe(true);
  });
});
