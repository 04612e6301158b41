/**
 * Django's model and object permissions, live: the same requests to real Django + DRF (`manage.py runserver`, on
 * both stacks) and to Portcullis in Django mode on the SAME PostgreSQL database, compared status and body for
 * every method × user. The Django project (`django-permissions/`) has one model, django-guardian's two tables
 * (emulated with guardian's schema) and DRF views with DjangoModelPermissions, DjangoModelPermissionsOrAnonReadOnly
 * and DjangoObjectPermissions (guardian's view-for-reads map).
 */
import { fileURLToPath } from "node:url";
import {
  DRF_PERMS_MAP,
  compat,
  djangoModelPermissions,
  djangoModelPermissionsOrAnonReadOnly,
  djangoObjectPermissions,
  guard,
  jsonResponse,
  toResponse,
  tokenAuth,
  type AnyPermission,
} from "@portcullis/core";
import { importDjango } from "@portcullis/core/django";
import { memoryStore } from "../../store-memory/src/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { djangoStacks, runPython, type DjangoStack } from "../../core/test/_stacks.js";
import { manage, startDjango, type DjangoServer } from "../../core/test/_django-server.js";
import { guardianObjectPermissions, migrate, postgresStore, toSqlClient, type SqlClient } from "../src/index.js";
import { HAS_SERVER, IS_CI, createDatabase, pgClient, type TestClient, type TestDatabase } from "./_postgres.js";

const PROJECT = fileURLToPath(new URL("./django-permissions/", import.meta.url));
const USERS = ["direct", "grouped", "none", "inactive", "root", null] as const;
const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "patch", "DELETE", "PROPFIND"];
const PATHS = ["/articles/", "/open-articles/", "/articles/1/", "/articles/2/"];
const VIEW = ["%(app_label)s.view_%(model_name)s"];

if (IS_CI && !HAS_SERVER) throw new Error("CI=true: the permission parity test needs PORTCULLIS_PG_URL");
const stacks = HAS_SERVER ? djangoStacks(["psycopg2"], "the Django permission parity test") : [];
if (!HAS_SERVER) console.warn("skipping the Django permission parity test: set PORTCULLIS_PG_URL");

interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** The `Allow` header of a 405 (DRF sends it on every answer; compared where Portcullis answers 405). */
  readonly allow?: string | null;
}

/** Counts the statements a store runs. */
function counting(client: TestClient): { db: SqlClient; count: () => number } {
  const inner = toSqlClient(client.client);
  let count = 0;
  return { db: { query: (text, params) => (count++, inner.query(text, params)), script: (text) => inner.script(text) }, count: () => count };
}

/** Portcullis's side: the same routes, the same permissions, on Django's own tables. */
function portcullis(client: TestClient, drf: string, permissionsWithUser = false, db: SqlClient = toSqlClient(client.client)): (request: Request) => Promise<Response> {
  const store = postgresStore(db, { django: true, permissionsWithUser });
  const options = { store, model: "blog.article", compat: compat({ drf }) } as const;
  const schemes = [tokenAuth({ store })];
  const routes: Record<string, AnyPermission> = {
    articles: djangoModelPermissions(options),
    "open-articles": djangoModelPermissionsOrAnonReadOnly(options),
    detail: djangoObjectPermissions({
      ...options,
      permsMap: { ...DRF_PERMS_MAP, GET: VIEW, HEAD: VIEW, OPTIONS: VIEW },
      objectPermissions: guardianObjectPermissions(client.client, { model: "blog.article", pk: (a: { id: number }) => a.id }),
    }),
  };
  return async (request) => {
    const [, first, id] = new URL(request.url).pathname.split("/");
    const check = guard({ schemes, permissions: [routes[id ? "detail" : first!]!] });
    let decision = await check(request);
    if (decision.allowed && id) decision = await check.checkObjectPermissions(decision, request, { id: Number(id) });
    if (!decision.allowed) return toResponse(decision.error);
    const method = request.method.toUpperCase();
    return jsonResponse(id ? { method, id: Number(id) } : { method }, 200);
  };
}

async function ask(send: (request: Request) => Promise<Response>, base: string, path: string, method: string, key: string | null): Promise<Answer> {
  const headers: Record<string, string> = key ? { Authorization: `Token ${key}` } : {};
  const response = await send(new Request(`${base}${path}`, { method, headers }));
  const text = await response.text();
  // Over HTTP a HEAD answer has no body (Django's server drops it); in process it still has one: compare status.
  if (method === "HEAD") return { status: response.status, body: null };
  const allow = response.status === 405 ? { allow: response.headers.get("allow") } : {};
  return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown), ...allow };
}

for (const stack of stacks) {
  describe(`permissions on Django ${stack.versions.django} / DRF ${stack.versions.drf} (${stack.name}) vs Portcullis`, () => {
    let database: TestDatabase | undefined;
    let client: TestClient | undefined;
    let django: DjangoServer | undefined;
    let keys: Record<string, string> = {};

    beforeAll(async () => {
      database = await createDatabase("portcullis_perm");
      const env = { PORTCULLIS_DJANGO_DB_URL: database.url };
      manage(stack, PROJECT, ["migrate", "--noinput", "-v", "0"], { env });
      keys = runPython<Record<string, string>>(stack, "fixture.py", {}, { cwd: PROJECT, env });
      client = pgClient(database.url);
      await migrate(client.client, { django: true });
      django = await startDjango(stack, PROJECT, { env });
    }, 180_000);

    afterAll(async () => {
      await django?.stop();
      await client?.close();
      await database?.drop();
    });

    it.each([false, true])("every path × method × user answers the same status and body, and a 405 the same Allow (permissionsWithUser: %s)", async (withUser) => {
      const local = portcullis(client!, drfRelease(stack), withUser);
      const differences: string[] = [];
      let compared = 0;
      for (const path of PATHS) {
        for (const method of METHODS) {
          for (const user of USERS) {
            const key = user === null ? null : keys[user]!;
            const theirs = await ask((r) => fetch(r), django!.url, path, method, key);
            const ours = await ask(local, "https://api.test", path, method, key);
            compared++;
            if (JSON.stringify(theirs) !== JSON.stringify(ours)) {
              differences.push(`${method} ${path} as ${user ?? "anonymous"}: Django ${JSON.stringify(theirs)}, Portcullis ${JSON.stringify(ours)}`);
            }
          }
        }
      }
      expect(differences, django!.output().slice(-2000)).toEqual([]);
      expect(compared).toBe(PATHS.length * METHODS.length * USERS.length);
    }, 180_000);

    it("reads permissions in one statement more per request, or none with permissionsWithUser", async () => {
      for (const [withUser, statements] of [[false, 2], [true, 1]] as const) {
        const { db, count } = counting(client!);
        const local = portcullis(client!, drfRelease(stack), withUser, db);
        expect((await ask(local, "https://api.test", "/articles/", "POST", keys.grouped!)).status).toBe(200);
        expect((await ask(local, "https://api.test", "/articles/", "POST", keys.none!)).status).toBe(403);
        expect(count()).toBe(2 * statements);
      }
    });

    it.each([[["auth", "contenttypes", "authtoken.token"]], [["auth", "authtoken.token", "--natural-foreign"]]])(
      "importDjango of real `dumpdata %s` answers every user the permissions Django mode reads live",
      async (args) => {
        const env = { PORTCULLIS_DJANGO_DB_URL: database!.url };
        const dump = manage(stack, PROJECT, ["dumpdata", ...args], { env });
        const imported = memoryStore();
        const result = await importDjango(imported, dump);
        expect(result).toMatchObject({ users: USERS.length - 1, tokens: USERS.length - 1 });
        const live = postgresStore(client!.client, { django: true });
        for (const name of USERS) {
          if (name === null) continue;
          const id = (await live.getUserByUsername(name))!.user.id;
          expect(await imported.getPermissions(id), name).toEqual(await live.getPermissions(id));
        }
        expect((await imported.getPermissions((await live.getUserByUsername("grouped"))!.user.id)).names.size).toBe(4);
      },
      60_000,
    );

    it("a permission change in Django shows on Portcullis's next request (nothing cached across requests)", async () => {
      const local = portcullis(client!, drfRelease(stack));
      const before = await ask(local, "https://api.test", "/articles/", "DELETE", keys.none!);
      expect(before.status).toBe(403);
      const script = "from django.contrib.auth.models import Permission, User; User.objects.get(username='none').user_permissions.add(Permission.objects.get(codename='delete_article'))";
      manage(stack, PROJECT, ["shell", "-c", script], { env: { PORTCULLIS_DJANGO_DB_URL: database!.url } });
      expect(await ask(local, "https://api.test", "/articles/", "DELETE", keys.none!)).toEqual(
        await ask((r) => fetch(r), django!.url, "/articles/", "DELETE", keys.none!),
      );
      expect((await ask(local, "https://api.test", "/articles/", "DELETE", keys.none!)).status).toBe(200);
    }, 60_000);
  });
}

/** The DRF release of a stack as `compat` takes it ("3.14", "3.17"). */
function drfRelease(stack: DjangoStack): string {
  return stack.versions.drf.split(".").slice(0, 2).join(".");
}
