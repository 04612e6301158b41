import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { compat } from "../compat/index.js";
import { ConfigError, StoreError } from "../errors.js";
import { guard } from "../guard.js";
import type { Permission } from "../permissions/types.js";
import { errorToResponse, toResponse } from "../response.js";
import type { Scheme } from "../schemes/types.js";
import { tokenAuth } from "../schemes/token.js";
import type { PermissionStore } from "../store/types.js";
import { issueToken } from "../tokens/tokens.js";
import { DRF_PERMS_MAP, djangoModelPermissions, djangoModelPermissionsOrAnonReadOnly } from "./django-model-permissions.js";
import { hasPerm, hasPerms } from "./has-perm.js";
import { preloadPermissions } from "./_cache.js";

const HASH = "!unusable";

/** A memory store with the cast of the Django parity test: perms through the user, a group, none, inactive, superuser. */
async function cast() {
  const store = memoryStore();
  const make = (username: string, extra: object = {}) => store.createUser({ username, passwordHash: HASH, ...extra });
  const [direct, grouped, none, inactive, superuser] = await Promise.all([
    make("direct"), make("grouped"), make("none"), make("inactive", { isActive: false }), make("root", { isSuperuser: true }),
  ]);
  for (const p of ["blog.add_article", "blog.change_article", "blog.delete_article"]) {
    await store.grantPermission({ userId: direct.id }, p);
    await store.grantPermission({ group: "editors" }, p);
    await store.grantPermission({ userId: inactive.id }, p);
  }
  await store.addUserToGroup(grouped.id, "editors");
  const keys: Record<string, string> = {};
  for (const user of [direct, grouped, none, superuser]) keys[user.username] = (await issueToken(store, user.id)).key;
  return { store, keys, ids: { direct: direct.id, none: none.id, inactive: inactive.id } };
}

async function answer(permission: Permission, schemes: Scheme<unknown, unknown>[], method: string, key?: string) {
  const request = new Request("https://api.test/articles/", { method, headers: key ? { Authorization: `Token ${key}` } : {} });
  const decision = await guard({ schemes, permissions: [permission] })(request);
  if (decision.allowed) return 200;
  const response = toResponse(decision.error);
  return [response.status, ((await response.json()) as { detail: string }).detail] as const;
}

const DENIED = [403, "You do not have permission to perform this action."] as const;
const ANONYMOUS = [401, "Authentication credentials were not provided."] as const;

describe("djangoModelPermissions (DRF's DjangoModelPermissions)", () => {
  it.each([
    ["GET", 200, 200, 200, 200],
    ["HEAD", 200, 200, 200, 200],
    ["OPTIONS", 200, 200, 200, 200],
    ["POST", 200, 200, DENIED, 200],
    ["PUT", 200, 200, DENIED, 200],
    ["PATCH", 200, 200, DENIED, 200],
    ["DELETE", 200, 200, DENIED, 200],
    ["PROPFIND", [405, 'Method "PROPFIND" not allowed.'], [405, 'Method "PROPFIND" not allowed.'], [405, 'Method "PROPFIND" not allowed.'], [405, 'Method "PROPFIND" not allowed.']],
  ])("%s: through the user %j, a group %j, none %j, superuser %j; anonymous is refused", async (method, direct, grouped, none, root) => {
    const { store, keys } = await cast();
    const permission = djangoModelPermissions({ store, model: "blog.article" });
    const schemes = [tokenAuth({ store })];
    expect(await answer(permission, schemes, method, keys.direct)).toEqual(direct);
    expect(await answer(permission, schemes, method, keys.grouped)).toEqual(grouped);
    expect(await answer(permission, schemes, method, keys.none)).toEqual(none);
    expect(await answer(permission, schemes, method, keys.root)).toEqual(root);
    expect(await answer(permission, schemes, method)).toEqual(ANONYMOUS);
  });

  it("a lowercase method is Django's uppercase one (fetch keeps 'patch' as sent)", async () => {
    const { store, keys } = await cast();
    const permission = djangoModelPermissions({ store, model: "blog.article" });
    expect(await answer(permission, [tokenAuth({ store })], "patch", keys.none)).toEqual(DENIED);
    expect(await answer(permission, [tokenAuth({ store })], "patch", keys.direct)).toBe(200);
  });

  it("a custom permsMap (DRF's syntax) requires view for GET", async () => {
    const { store, keys, ids } = await cast();
    const permsMap = { ...DRF_PERMS_MAP, GET: ["%(app_label)s.view_%(model_name)s"] };
    const permission = djangoModelPermissions({ store, model: "blog.article", permsMap });
    expect(await answer(permission, [tokenAuth({ store })], "GET", keys.direct)).toEqual(DENIED);
    await store.grantPermission({ userId: ids.direct }, "blog.view_article");
    expect(await answer(permission, [tokenAuth({ store })], "GET", keys.direct)).toBe(200); // the next request sees it
    expect(await answer(permission, [tokenAuth({ store })], "OPTIONS", keys.none)).toBe(200);
  });

  it("an inactive user holds nothing even when the scheme lets it through", async () => {
    const { store, ids } = await cast();
    const lenient: Scheme<{ id: string; isActive: boolean }, null> = {
      name: "lenient",
      authenticate: async () => ({ type: "success", user: { id: ids.inactive, isActive: false }, auth: null }),
    };
    expect(await answer(djangoModelPermissions({ store, model: "blog.article" }), [lenient], "POST")).toEqual(DENIED);
  });

  it("a superuser claim the client controls is never trusted: the store's row decides", async () => {
    const { store, ids } = await cast();
    const claims: Scheme<{ id: string; isActive: boolean; isSuperuser: boolean }, null> = {
      name: "claims",
      authenticate: async () => ({ type: "success", user: { id: ids.none, isActive: true, isSuperuser: true }, auth: null }),
    };
    expect(await answer(djangoModelPermissions({ store, model: "blog.article" }), [claims], "DELETE")).toEqual(DENIED);
  });

  it("OrAnonReadOnly lets anonymous reads through, refuses anonymous writes, and still answers 405", async () => {
    const { store, keys } = await cast();
    const permission = djangoModelPermissionsOrAnonReadOnly({ store, model: "blog.article" });
    const schemes = [tokenAuth({ store })];
    expect(await answer(permission, schemes, "GET")).toBe(200);
    expect(await answer(permission, schemes, "POST")).toEqual(ANONYMOUS);
    expect(await answer(permission, schemes, "POST", keys.grouped)).toBe(200);
    expect(await answer(permission, schemes, "PROPFIND")).toEqual([405, 'Method "PROPFIND" not allowed.']);
  });

  it("a 405 carries Allow: the map's methods in Django's order (DRF's header for a view with every method)", async () => {
    const { store, keys } = await cast();
    const schemes = [tokenAuth({ store })];
    const allowOf = async (permission: Permission, method: string) => {
      const decision = await guard({ schemes, permissions: [permission] })(
        new Request("https://api.test/articles/", { method, headers: { Authorization: `Token ${keys.direct}` } }),
      );
      return decision.allowed ? null : toResponse(decision.error).headers.get("allow");
    };
    expect(await allowOf(djangoModelPermissions({ store, model: "blog.article" }), "PROPFIND")).toBe("GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    const readOnly = djangoModelPermissions({ store, model: "blog.article", permsMap: { GET: [], POST: ["%(app_label)s.add_%(model_name)s"] } });
    expect(await allowOf(readOnly, "DELETE")).toBe("GET, POST, HEAD, OPTIONS");
    expect(await allowOf(readOnly, "PROPFIND")).toBe("GET, POST, HEAD, OPTIONS");
  });

  it("ignoreModelPermissions (DefaultRouter's root): DRF 3.14 lets anonymous through, 3.15+ checks authentication first", async () => {
    const { store, keys } = await cast();
    const schemes = [tokenAuth({ store })];
    const old = djangoModelPermissions({ store, model: "blog.article", ignoreModelPermissions: true, compat: compat({ drf: "3.14" }) });
    const current = djangoModelPermissions({ store, model: "blog.article", ignoreModelPermissions: true, compat: compat({ drf: "3.17" }) });
    expect(await answer(old, schemes, "POST")).toBe(200);
    expect(await answer(current, schemes, "POST")).toEqual(ANONYMOUS);
    expect(await answer(current, schemes, "POST", keys.none)).toBe(200);
    expect(await answer(djangoModelPermissions({ store, model: "blog.article" }), schemes, "POST")).toEqual(ANONYMOUS);
  });

  it("asks the store once per request, whatever number of permissions and hasPerm calls", async () => {
    const { store, keys } = await cast();
    let calls = 0;
    const counting: PermissionStore = { getPermissions: (id) => (calls++, store.getPermissions(id)) };
    const check = guard({
      schemes: [tokenAuth({ store })],
      permissions: [djangoModelPermissions({ store: counting, model: "blog.article" }), djangoModelPermissions({ store: counting, model: "blog.comment", permsMap: { POST: [] } })],
    });
    const request = new Request("https://api.test/", { method: "POST", headers: { Authorization: `Token ${keys.direct}` } });
    const decision = await check(request);
    expect(decision.allowed).toBe(true);
    const user = decision.allowed ? decision.user : null;
    expect(await hasPerm(counting, request, user, "blog.change_article")).toBe(true);
    expect(await hasPerms(counting, request, user, ["blog.add_article", "blog.publish_article"])).toBe(false);
    expect(calls).toBe(1);
    await check(new Request("https://api.test/", { method: "POST", headers: { Authorization: `Token ${keys.direct}` } }));
    expect(calls).toBe(2); // a new request reads again: nothing outlives a request
  });

  it("preloaded permissions serve only the store that read them, for that user object only", async () => {
    const { store, ids } = await cast();
    let calls = 0;
    const counting: PermissionStore = { getPermissions: (id) => (calls++, store.getPermissions(id)) };
    const user = { id: ids.none, isActive: true };
    preloadPermissions(counting, user, { all: true, names: new Set() });
    const request = () => new Request("https://api.test/", { method: "DELETE" });
    expect(await hasPerm(counting, request(), user, "blog.delete_article")).toBe(true); // as the store read it
    expect(calls).toBe(0);
    expect(await hasPerm(store, request(), user, "blog.delete_article")).toBe(false); // another store: its own read
    expect(await hasPerm(counting, request(), { ...user }, "blog.delete_article")).toBe(false); // a copy: no preload
    expect(calls).toBe(1);
  });

  it("a frozen Request still gets its per-request cache", async () => {
    const { store, keys } = await cast();
    let calls = 0;
    const counting: PermissionStore = { getPermissions: (id) => (calls++, store.getPermissions(id)) };
    const check = guard({ schemes: [tokenAuth({ store })], permissions: [djangoModelPermissions({ store: counting, model: "blog.article" })] });
    const request = Object.freeze(new Request("https://api.test/", { method: "POST", headers: { Authorization: `Token ${keys.direct}` } }));
    const decision = await check(request);
    expect(decision.allowed).toBe(true);
    expect(await hasPerm(counting, request, decision.allowed ? decision.user : null, "blog.add_article")).toBe(true);
    expect(calls).toBe(1);
  });

  it("a failing store fails closed (503), never allowed", async () => {
    const { store, keys } = await cast();
    const broken: PermissionStore = { getPermissions: async () => { throw new StoreError("down"); } };
    const check = guard({ schemes: [tokenAuth({ store })], permissions: [djangoModelPermissions({ store: broken, model: "blog.article" })], onEvent: () => {} });
    const request = new Request("https://api.test/", { method: "POST", headers: { Authorization: `Token ${keys.direct}` } });
    const error = await check(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(errorToResponse(error).status).toBe(503);
    // A read needs no permission: DRF does not ask, neither do we.
    expect((await check(new Request("https://api.test/", { headers: { Authorization: `Token ${keys.direct}` } }))).allowed).toBe(true);
  });

  it("hasPerm: anonymous holds nothing; an empty list is true (Django's has_perms)", async () => {
    const { store } = await cast();
    const request = new Request("https://api.test/");
    expect(await hasPerm(store, request, null, "blog.add_article")).toBe(false);
    expect(await hasPerms(store, request, null, [])).toBe(true);
  });

  it.each([
    [{ model: "blog" }, "model"],
    [{ model: "blog.Article" }, "model"],
    [{ model: "blog.article.x" }, "model"],
    [{ model: "blog.article", permsMap: { POST: ["%(app_label)s.add_%(model)s"] } }, "permsMap"],
    [{ model: "blog.article", permsMap: { POST: ["add_article"] } }, "permsMap"],
    [{ model: "blog.article", permsMap: { post: [] } }, "permsMap"],
    [{ model: "blog.article", permsMap: { POST: "blog.add_article" } }, "permsMap"],
  ])("refuses %j with ConfigError naming %s", async (options, option) => {
    const { store } = await cast();
    const error = (() => { try { djangoModelPermissions({ store, ...(options as { model: string }) }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe(option);
  });
});
