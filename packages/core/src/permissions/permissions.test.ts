import { describe, expect, it, vi } from "vitest";
import { messages } from "../auth-error.js";
import type { Decision } from "../guard.js";
import { guard } from "../guard.js";
import { errorToResponse, toResponse } from "../response.js";
import { StoreError } from "../errors.js";
import type { AuthEvent } from "../events.js";
import type { Scheme } from "../schemes/types.js";
import { allowAny, isAdminUser, isAuthenticated, isAuthenticatedOrReadOnly } from "./builtin.js";
import { allOf, anyOf, not } from "./combinators.js";
import type { Permission } from "./types.js";

interface TestUser {
  readonly id: string;
  readonly isStaff: boolean;
}

/** `X-User: <id>` authenticates (`X-Staff: 1` makes the user staff); no header skips. */
const headerUser: Scheme<TestUser, null> = {
  name: "header",
  async authenticate(request) {
    const id = request.headers.get("x-user");
    if (id === null) return { type: "skip" };
    return { type: "success", user: { id, isStaff: request.headers.get("x-staff") === "1" }, auth: null };
  },
  challenge: () => "Header",
};

function request(method: string, user?: string, staff = false): Request {
  const headers: Record<string, string> = {};
  if (user !== undefined) headers["X-User"] = user;
  if (staff) headers["X-Staff"] = "1";
  return new Request("https://api.test/", { method, headers });
}

async function decide(permissions: Permission[], req: Request) {
  return guard({ schemes: [headerUser], permissions })(req);
}

async function allowed(permissions: Permission[], req: Request): Promise<boolean> {
  return (await decide(permissions, req)).allowed;
}

async function body(decision: Decision): Promise<{ status: number; detail: string }> {
  if (decision.allowed) throw new Error("expected a denial");
  const response = toResponse(decision.error);
  return { status: response.status, detail: ((await response.json()) as { detail: string }).detail };
}

/** A permission with a fixed answer that counts its calls. */
function counted(answer: boolean, objectAnswer?: boolean) {
  const calls = { request: 0, object: 0 };
  const permission: Permission = {
    hasPermission: () => {
      calls.request++;
      return answer;
    },
    ...(objectAnswer === undefined
      ? {}
      : {
          hasObjectPermission: () => {
            calls.object++;
            return objectAnswer;
          },
        }),
  };
  return { permission, calls };
}

const yes = () => counted(true);
const no = () => counted(false);

describe("built-in permissions", () => {
  it("allowAny allows anonymous and authenticated requests", async () => {
    expect(await allowed([allowAny], request("POST"))).toBe(true);
    expect(await allowed([allowAny], request("POST", "u1"))).toBe(true);
  });

  it("isAuthenticated allows authenticated requests only", async () => {
    expect(await allowed([isAuthenticated], request("GET"))).toBe(false);
    expect(await allowed([isAuthenticated], request("GET", "u1"))).toBe(true);
  });

  it("isAdminUser allows staff only; a non-staff user gets DRF's default 403", async () => {
    expect(await allowed([isAdminUser], request("GET", "u1", true))).toBe(true);
    expect(await body(await decide([isAdminUser], request("GET", "u1")))).toEqual({
      status: 403,
      detail: messages.permissionDenied,
    });
    expect(await body(await decide([isAdminUser], request("GET")))).toEqual({
      status: 401,
      detail: messages.notAuthenticated,
    });
  });

  it.each(["GET", "HEAD", "OPTIONS"])("isAuthenticatedOrReadOnly lets anonymous %s through", async (method) => {
    expect(await allowed([isAuthenticatedOrReadOnly], request(method))).toBe(true);
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("isAuthenticatedOrReadOnly requires a user for %s", async (method) => {
    expect(await allowed([isAuthenticatedOrReadOnly], request(method))).toBe(false);
    expect(await allowed([isAuthenticatedOrReadOnly], request(method, "u1"))).toBe(true);
  });
});

describe("combinators", () => {
  it("allOf allows when all allow and stops at the first denial", async () => {
    const [a, b, c] = [yes(), no(), yes()];
    expect(await allowed([allOf(a.permission, b.permission, c.permission)], request("GET", "u1"))).toBe(false);
    expect([a.calls.request, b.calls.request, c.calls.request]).toEqual([1, 1, 0]);
    expect(await allowed([allOf(yes().permission, yes().permission)], request("GET", "u1"))).toBe(true);
    expect(await allowed([allOf()], request("GET", "u1"))).toBe(true);
  });

  it("anyOf allows at the first operand that allows", async () => {
    const [a, b, c] = [no(), yes(), no()];
    expect(await allowed([anyOf(a.permission, b.permission, c.permission)], request("GET", "u1"))).toBe(true);
    expect([a.calls.request, b.calls.request, c.calls.request]).toEqual([1, 1, 0]);
    expect(await allowed([anyOf(no().permission, no().permission)], request("GET", "u1"))).toBe(false);
    expect(await allowed([anyOf()], request("GET", "u1"))).toBe(false);
  });

  it("not inverts, and nests (DRF's ~, & and |)", async () => {
    expect(await allowed([not(isAdminUser)], request("GET", "u1"))).toBe(true);
    expect(await allowed([not(isAdminUser)], request("GET", "u1", true))).toBe(false);
    const staffOrReadOnly = anyOf(isAdminUser, allOf(isAuthenticated, not(isAuthenticatedOrReadOnly)));
    expect(await allowed([staffOrReadOnly], request("GET", "u1", true))).toBe(true);
    expect(await allowed([staffOrReadOnly], request("GET", "u1"))).toBe(false);
  });

  it("combinators accept async operands", async () => {
    const later = (answer: boolean): Permission => ({ hasPermission: async () => answer });
    expect(await allowed([allOf(later(true), later(true))], request("GET", "u1"))).toBe(true);
    expect(await allowed([anyOf(later(false), later(true))], request("GET", "u1"))).toBe(true);
    expect(await allowed([not(later(true))], request("GET", "u1"))).toBe(false);
  });

  it("a combinator has no message of its own: a denial answers DRF's default, not its operands' messages", async () => {
    const custom: Permission = { hasPermission: () => false, message: "Custom.", code: "custom" };
    const decision = await decide([allOf(isAuthenticated, custom)], request("GET", "u1"));
    expect(await body(decision)).toEqual({ status: 403, detail: messages.permissionDenied });
    expect(!decision.allowed && decision.error.code).toBe("permission_denied");
  });
});

describe("object-level permissions (guard(...).checkObjectPermissions)", () => {
  const owner: Permission<TestUser> = {
    hasPermission: () => true,
    hasObjectPermission: ({ user }, object) => (object as { ownerId: string }).ownerId === user?.id,
    message: "Not your article.",
    code: "not_owner",
  };
  const article = { ownerId: "u1" };

  async function objectDecision(permissions: Permission<TestUser>[], req: Request, object: unknown) {
    const check = guard({ schemes: [headerUser], permissions });
    return check.checkObjectPermissions(await check(req), req, object);
  }

  it("answers the decision unchanged when every permission allows the object", async () => {
    const req = request("GET", "u1");
    const check = guard({ schemes: [headerUser], permissions: [isAuthenticated, owner] });
    const decision = await check(req);
    expect(await check.checkObjectPermissions(decision, req, article)).toBe(decision);
  });

  it("denies with the object permission's own message and code", async () => {
    const decision = await objectDecision([isAuthenticated, owner], request("GET", "u2"), article);
    expect(await body(decision)).toEqual({ status: 403, detail: "Not your article." });
    expect(!decision.allowed && decision.error.code).toBe("not_owner");
  });

  it("an object check that fails: rethrown, reported once to the policy's hook, not again by errorToResponse", async () => {
    const failing: Permission<TestUser> = { hasPermission: () => true, hasObjectPermission: async () => Promise.reject(new StoreError("rows down")) };
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const events: AuthEvent[] = [];
      const check = guard({ schemes: [headerUser], permissions: [isAuthenticated, failing], onEvent: (event) => void events.push(event) });
      const req = request("GET", "u1");
      const error = await check.checkObjectPermissions(await check(req), req, article).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(events).toEqual([{ type: "store.failed", error }]);
      expect(errorToResponse(error).status).toBe(503);
      expect(events).toHaveLength(1);
      expect(logged).not.toHaveBeenCalled();

      // Without a hook: one console.error, and errorToResponse does not log it a second time.
      const unhooked = guard({ schemes: [headerUser], permissions: [isAuthenticated, failing] });
      const again = await unhooked.checkObjectPermissions(await unhooked(req), req, article).then(() => null, (e: unknown) => e);
      expect(again).toBeInstanceOf(StoreError);
      expect(errorToResponse(again).status).toBe(503);
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      logged.mockRestore();
    }
  });

  it("passes a denied decision through untouched", async () => {
    const req = request("GET");
    const check = guard({ schemes: [headerUser], permissions: [isAuthenticated, owner] });
    const denied = await check(req);
    expect(denied.allowed).toBe(false);
    expect(await check.checkObjectPermissions(denied, req, article)).toBe(denied);
  });

  it("an anonymous request allowed at request level but denied on the object answers NotAuthenticated", async () => {
    const decision = await objectDecision([allowAny, owner], request("GET"), article);
    expect(await body(decision)).toEqual({ status: 401, detail: messages.notAuthenticated });
  });

  it("permissions without an object check allow every object", async () => {
    const decision = await objectDecision([isAuthenticated, isAdminUser], request("GET", "u2", true), article);
    expect(decision.allowed).toBe(true);
  });

  it("allOf requires every operand's object check; stops at the first object denial", async () => {
    const [a, b, c] = [counted(true, true), counted(true, false), counted(true, true)];
    const decision = await objectDecision([allOf(a.permission, b.permission, c.permission)], request("GET", "u1"), article);
    expect(decision.allowed).toBe(false);
    expect([a.calls.object, b.calls.object, c.calls.object]).toEqual([1, 1, 0]);
  });

  it("anyOf on objects: one operand must pass both its request and its object check (DRF 3.14)", async () => {
    // DRF < 3.14 allowed this non-staff non-owner: isAdminUser's default object check (true) made the OR pass.
    const staffOrOwner = anyOf(isAdminUser, owner);
    const req = request("GET", "u2");
    expect((await guard({ schemes: [headerUser], permissions: [staffOrOwner] })(req)).allowed).toBe(true);
    expect(await body(await objectDecision([staffOrOwner], req, article))).toEqual({
      status: 403,
      detail: messages.permissionDenied,
    });
    expect((await objectDecision([staffOrOwner], request("GET", "u1"), article)).allowed).toBe(true);
    expect((await objectDecision([staffOrOwner], request("GET", "u2", true), article)).allowed).toBe(true);

    // An operand whose request check fails is not asked about the object.
    const gated = counted(false, true);
    const decision = await objectDecision([anyOf(gated.permission, counted(true, false).permission)], request("GET", "u1"), article);
    expect(decision.allowed).toBe(false);
    expect(gated.calls.object).toBe(0);
  });

  it("anyOf on objects stops at the first operand that passes both checks", async () => {
    const [a, b, c] = [counted(true, false), counted(true, true), counted(true, true)];
    const decision = await objectDecision([anyOf(a.permission, b.permission, c.permission)], request("GET", "u1"), article);
    expect(decision.allowed).toBe(true);
    expect([a.calls.object, b.calls.object, c.calls.object]).toEqual([1, 1, 0]);
  });

  it("not(X) inverts X's object check", async () => {
    expect((await objectDecision([not(owner)], request("GET", "u1"), { ownerId: "u2" })).allowed).toBe(false);
    const notOwner = { ...owner, hasPermission: () => false };
    expect((await objectDecision([not(notOwner)], request("GET", "u2"), article)).allowed).toBe(true);
    expect((await objectDecision([not(notOwner)], request("GET", "u1"), article)).allowed).toBe(false);
  });

  it("not(X) where X has no object check allows objects (documented divergence: DRF's ~X denies them)", async () => {
    const notStaff = not(isAdminUser);
    expect(notStaff.hasObjectPermission).toBeUndefined();
    expect((await objectDecision([notStaff], request("GET", "u1"), article)).allowed).toBe(true);
  });

  it("async object checks are awaited", async () => {
    const later: Permission = { hasPermission: async () => true, hasObjectPermission: async () => false };
    expect((await objectDecision([later], request("GET", "u1"), article)).allowed).toBe(false);
  });
});
