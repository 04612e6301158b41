import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { ConfigError, StoreError } from "../errors.js";
import { guard } from "../guard.js";
import { toResponse } from "../response.js";
import { tokenAuth } from "../schemes/token.js";
import { issueToken } from "../tokens/tokens.js";
import { DRF_PERMS_MAP } from "./django-model-permissions.js";
import { djangoObjectPermissions, type ObjectPermissionSource } from "./django-object-permissions.js";

const VIEW = ["%(app_label)s.view_%(model_name)s"];
const GUARDIAN_MAP = { ...DRF_PERMS_MAP, GET: VIEW, HEAD: VIEW, OPTIONS: VIEW };
const MODEL = ["blog.view_article", "blog.add_article", "blog.change_article", "blog.delete_article"];

interface Article {
  readonly id: number;
}

/** Users with every model permission; object permissions on article 1 only: reader (view), editor (view + change). */
async function cast() {
  const store = memoryStore();
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  for (const name of ["reader", "editor", "stranger", "root"]) {
    const user = await store.createUser({ username: name, passwordHash: "!", isSuperuser: name === "root" });
    for (const p of MODEL) await store.grantPermission({ userId: user.id }, p);
    keys[name] = (await issueToken(store, user.id)).key;
    ids[name] = user.id;
  }
  const table = new Map<string, string[]>([
    [`${ids.reader}:1`, ["blog.view_article"]],
    [`${ids.editor}:1`, ["blog.view_article", "blog.change_article"]],
  ]);
  let asked = 0;
  const source: ObjectPermissionSource = (user, object) => {
    asked++;
    return table.get(`${user.id}:${(object as Article).id}`) ?? [];
  };
  return { store, keys, source, asked: () => asked };
}

async function onObject(method: string, key: string, article: Article, setup: Awaited<ReturnType<typeof cast>>) {
  const { store, source } = setup;
  const check = guard({ schemes: [tokenAuth({ store })], permissions: [djangoObjectPermissions({ store, model: "blog.article", permsMap: GUARDIAN_MAP, objectPermissions: source })] });
  const request = new Request("https://api.test/articles/1/", { method, headers: { Authorization: `Token ${key}` } });
  const decision = await check.checkObjectPermissions(await check(request), request, article);
  if (decision.allowed) return 200;
  const response = toResponse(decision.error);
  return [response.status, ((await response.json()) as { detail: string }).detail];
}

const NOT_FOUND = [404, "Not found."];
const DENIED = [403, "You do not have permission to perform this action."];

describe("djangoObjectPermissions (DRF's DjangoObjectPermissions, guardian-style)", () => {
  it.each([
    // method, reader, editor, stranger, superuser
    ["GET", 200, 200, NOT_FOUND, 200],
    ["HEAD", 200, 200, NOT_FOUND, 200],
    ["PUT", DENIED, 200, NOT_FOUND, 200],
    ["PATCH", DENIED, 200, NOT_FOUND, 200],
    ["DELETE", DENIED, DENIED, NOT_FOUND, 200],
    ["POST", DENIED, DENIED, NOT_FOUND, 200],
  ])("%s on an object: reader %j, editor %j, stranger %j, superuser %j", async (method, reader, editor, stranger, root) => {
    const setup = await cast();
    const article = { id: 1 };
    expect(await onObject(method, setup.keys.reader!, article, setup)).toEqual(reader);
    expect(await onObject(method, setup.keys.editor!, article, setup)).toEqual(editor);
    expect(await onObject(method, setup.keys.stranger!, article, setup)).toEqual(stranger);
    expect(await onObject(method, setup.keys.root!, article, setup)).toEqual(root);
  });

  it("object permissions on one object say nothing about another (the editor cannot read article 2)", async () => {
    const setup = await cast();
    expect(await onObject("GET", setup.keys.editor!, { id: 2 }, setup)).toEqual(NOT_FOUND);
    expect(await onObject("PATCH", setup.keys.editor!, { id: 2 }, setup)).toEqual(NOT_FOUND);
  });

  it("asks the source at most once per check and never for a superuser", async () => {
    const setup = await cast();
    await onObject("DELETE", setup.keys.reader!, { id: 1 }, setup); // method perms, then read perms: one question
    expect(setup.asked()).toBe(1);
    await onObject("DELETE", setup.keys.root!, { id: 1 }, setup);
    expect(setup.asked()).toBe(1);
  });

  it("model permissions are required too (DRF's has_permission runs first with the same map)", async () => {
    const setup = await cast();
    const user = await setup.store.createUser({ username: "objonly", passwordHash: "!" });
    const key = (await issueToken(setup.store, user.id)).key;
    expect(await onObject("GET", key, { id: 1 }, setup)).toEqual(DENIED);
  });

  it("a failing source is a failure, never a pass", async () => {
    const setup = await cast();
    const broken = { ...setup, source: () => Promise.reject(new StoreError("down")) };
    await expect(onObject("GET", setup.keys.reader!, { id: 1 }, broken)).rejects.toBeInstanceOf(StoreError);
  });

  it("refuses a missing objectPermissions function", async () => {
    const { store } = await cast();
    const options = { store, model: "blog.article" } as unknown as Parameters<typeof djangoObjectPermissions>[0];
    expect(() => djangoObjectPermissions(options)).toThrow(ConfigError);
  });
});
