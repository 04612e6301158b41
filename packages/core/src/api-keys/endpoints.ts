/**
 * `apiKeyEndpoints`: HTTP handlers with which signed-in users manage their own API keys (issue, list, rotate,
 * revoke). The caller is authenticated by the guard you pass (a session, a token, a JWT); a request authenticated
 * by an API key is refused, so a leaked key can never mint or rotate keys.
 * @module
 */
import type { AuthContext } from "../context.js";
import { parseBody } from "../endpoints/body.js";
import { guardedHandler, methodNotAllowed } from "../endpoints/http.js";
import { ConfigError, ConflictError } from "../errors.js";
import { emit, type EventHook } from "../events.js";
import type { Decision } from "../guard.js";
import { NO_STORE_HEADERS, jsonResponse, toResponse } from "../response.js";
import type { ApiKeyRecord, ApiKeyStore } from "../store/types.js";
import { checkPrefix, checkScopes, issueApiKey, rotateApiKey } from "./keys.js";
import { isApiKeyRecord } from "./scopes.js";

type Handler = (request: Request, ctx?: AuthContext) => Promise<Response>;

/** Options of `apiKeyEndpoints`. */
export interface ApiKeyEndpointOptions {
  readonly store: ApiKeyStore;
  /** Authenticates the owner: a `guard(...)` (its user's `id` becomes the key's `ownerId`). */
  readonly authorize: (request: Request, ctx?: AuthContext) => Promise<Decision<{ readonly id: string }, unknown>>;
  /** Scopes a user may request; a request for others is 400. Default: any scope. */
  readonly allowedScopes?: readonly string[];
  /** The most unexpired keys one owner may hold. Default 25. */
  readonly maxKeysPerOwner?: number;
  /** The key prefix. Default `pk_live_`. */
  readonly prefix?: string;
  /** Grace period of a rotation, ms. Default 24 hours. */
  readonly graceMs?: number;
  /** Receives `apiKey.issued`, `apiKey.rotated`, `apiKey.revoked` and `store.failed` (never a key or digest). */
  readonly onEvent?: EventHook;
}

/** The four handlers, each `(request, ctx?) → Promise<Response>`. */
export interface ApiKeyEndpoints {
  /** `POST {name?, scopes?, ttl_seconds?}` → 201 `{key, api_key}` (the key is shown only here). */
  readonly issue: Handler;
  /** `GET` → 200 `[api_key, …]`, the caller's keys. */
  readonly list: Handler;
  /**
   * `POST {id}` → 200 `{key, api_key, previous}`; the old key works until `previous.expires_at`. A key is rotated
   * once: a key already rotated (also by a concurrent request) answers 409.
   */
  readonly rotate: Handler;
  /** `POST {id}` (or `DELETE`) → 204; 404 for a key the caller does not own. */
  readonly revoke: Handler;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function view(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    scopes: key.scopes,
    created_at: iso(key.createdAt),
    expires_at: iso(key.expiresAt),
    last_used_at: iso(key.lastUsedAt),
  };
}

const notFound = () => jsonResponse({ detail: "Not found." }, 404, NO_STORE_HEADERS);
const invalid = (field: string, message: string) => jsonResponse({ [field]: [message] }, 400, NO_STORE_HEADERS);

/**
 * The API key management endpoints.
 * @example
 * const keys = apiKeyEndpoints({ store, authorize: guard({ schemes: [sessionAuth(config)] }), allowedScopes: ["articles:read"] });
 * app.post("/api-keys/", (c) => keys.issue(c.req.raw));
 */
export function apiKeyEndpoints(options: ApiKeyEndpointOptions): ApiKeyEndpoints {
  const { store, authorize, allowedScopes, maxKeysPerOwner = 25, graceMs, onEvent } = options ?? ({} as ApiKeyEndpointOptions);
  if (typeof store?.createApiKey !== "function") throw new ConfigError("store", "must be a store with API keys");
  if (typeof authorize !== "function") throw new ConfigError("authorize", "must be a guard");
  const allowed = allowedScopes === undefined ? null : new Set(checkScopes(allowedScopes));
  if (!(Number.isSafeInteger(maxKeysPerOwner) && maxKeysPerOwner > 0)) throw new ConfigError("maxKeysPerOwner", "must be a positive integer");
  const prefix = checkPrefix(options.prefix ?? "pk_live_");

  /** The owner id, or the response refusing the request. */
  async function ownerOf(request: Request, ctx: AuthContext): Promise<string | Response> {
    const decision = await authorize(request, ctx);
    if (!decision.allowed) return toResponse(decision.error);
    if (decision.user === null) return jsonResponse({ detail: "Authentication credentials were not provided." }, 403, NO_STORE_HEADERS);
    if (isApiKeyRecord(decision.auth)) {
      return jsonResponse({ detail: "API keys cannot manage API keys." }, 403, NO_STORE_HEADERS);
    }
    return String(decision.user.id);
  }

  /** The id field of a body, or a 400. */
  async function idOf(request: Request): Promise<string | Response> {
    const body = await parseBody(request);
    if (!body.ok) return jsonResponse(body.body, body.status, NO_STORE_HEADERS);
    const id = (body.data as { id?: unknown }).id;
    if (id === undefined) return invalid("id", "This field is required.");
    return typeof id === "string" && /^[0-9A-Za-z]{1,64}$/.test(id) ? id : invalid("id", "Not a valid key id.");
  }

  /** The caller's live key with this id, or a 404 (the same for another owner's key as for none). */
  async function ownKey(id: string, owner: string, now: number): Promise<ApiKeyRecord | Response> {
    const found = await store.findApiKey(id);
    if (found === null || found.ownerId !== owner || (found.expiresAt !== null && found.expiresAt <= now)) return notFound();
    return found;
  }

  const issue = guardedHandler(async (request, ctx) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const owner = await ownerOf(request, ctx);
    if (typeof owner !== "string") return owner;
    const body = await parseBody(request);
    if (!body.ok) return jsonResponse(body.body, body.status, NO_STORE_HEADERS);
    const data = body.data as { name?: unknown; scopes?: unknown; ttl_seconds?: unknown };
    const scopes = data.scopes === undefined ? [] : data.scopes;
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== "string" || !/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(s)) || scopes.length > 100) {
      return invalid("scopes", "Expected a list of scopes.");
    }
    if (allowed !== null && scopes.some((s: string) => !allowed.has(s))) return invalid("scopes", "This scope is not allowed.");
    const name = data.name ?? null;
    if (name !== null && (typeof name !== "string" || name === "" || [...name].length > 100 || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name))) {
      return invalid("name", "Not a valid name.");
    }
    const ttl = data.ttl_seconds ?? null;
    if (ttl !== null && !(Number.isSafeInteger(ttl) && (ttl as number) > 0 && (ttl as number) <= 10 * 365 * 86_400)) {
      return invalid("ttl_seconds", "Ensure this value is a whole number of seconds between 1 and 315360000.");
    }
    const now = ctx.now ? ctx.now() : Date.now();
    const live = (await store.listApiKeys(owner)).filter((k) => k.expiresAt === null || k.expiresAt > now);
    if (live.length >= maxKeysPerOwner) return jsonResponse({ detail: "Maximum amount of API keys exceeded." }, 403, NO_STORE_HEADERS);
    const { key, apiKey } = await issueApiKey(store, {
      ownerId: owner, name: name as string | null, scopes: scopes as string[], prefix, now,
      ttlMs: ttl === null ? null : (ttl as number) * 1000,
    });
    const ip = ctx.clientIp === undefined ? {} : { clientIp: ctx.clientIp };
    emit(ctx, { type: "apiKey.issued", ownerId: owner, keyId: apiKey.id, scopes: apiKey.scopes, expiresAt: apiKey.expiresAt, ...ip });
    return jsonResponse({ key, api_key: view(apiKey) }, 201, NO_STORE_HEADERS);
  }, onEvent);

  const list = guardedHandler(async (request, ctx) => {
    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed(request.method, ["GET"]);
    const owner = await ownerOf(request, ctx);
    if (typeof owner !== "string") return owner;
    return jsonResponse((await store.listApiKeys(owner)).map(view), 200, NO_STORE_HEADERS);
  }, onEvent);

  const rotate = guardedHandler(async (request, ctx) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const owner = await ownerOf(request, ctx);
    if (typeof owner !== "string") return owner;
    const id = await idOf(request);
    if (typeof id !== "string") return id;
    const now = ctx.now ? ctx.now() : Date.now();
    const own = await ownKey(id, owner, now);
    if (own instanceof Response) return own;
    const rotated = await rotateApiKey(store, id, { now, prefix, ...(graceMs === undefined ? {} : { graceMs }) }).catch((error: unknown) => {
      if (error instanceof ConflictError && error.field === "rotation") return error;
      throw error;
    });
    if (rotated instanceof ConflictError) return jsonResponse({ detail: rotated.message }, 409, NO_STORE_HEADERS);
    if (rotated === null) return notFound();
    const ip = ctx.clientIp === undefined ? {} : { clientIp: ctx.clientIp };
    emit(ctx, { type: "apiKey.rotated", ownerId: owner, keyId: id, replacementId: rotated.apiKey.id, expiresAt: rotated.previous.expiresAt, ...ip });
    return jsonResponse({ key: rotated.key, api_key: view(rotated.apiKey), previous: view(rotated.previous) }, 200, NO_STORE_HEADERS);
  }, onEvent);

  const revoke = guardedHandler(async (request, ctx) => {
    if (request.method !== "POST" && request.method !== "DELETE") return methodNotAllowed(request.method, ["POST", "DELETE"]);
    const owner = await ownerOf(request, ctx);
    if (typeof owner !== "string") return owner;
    const id = await idOf(request);
    if (typeof id !== "string") return id;
    const found = await store.findApiKey(id);
    if (found === null || found.ownerId !== owner) return notFound();
    if (await store.deleteApiKey(id)) {
      emit(ctx, { type: "apiKey.revoked", ownerId: owner, keyId: id, ...(ctx.clientIp === undefined ? {} : { clientIp: ctx.clientIp }) });
    }
    return new Response(null, { status: 204, headers: NO_STORE_HEADERS });
  }, onEvent);

  return { issue, list, rotate, revoke };
}
