/**
 * `introspectionSource`: access tokens answered by a remote RFC 7662 endpoint (DOT's `/o/introspect/`), as DOT's
 * `RESOURCE_SERVER_INTROSPECTION_URL` does, with a cache bounded by entries, by TTL and by the token's own `exp`.
 * @module
 */
import { ConfigError, StoreError } from "../errors.js";
import { readStreamLimited } from "../internal/read-limited.js";
import { sha256Hex } from "../internal/sha256.js";
import type { StoredOAuth2AccessToken, User, UserStore } from "../store/types.js";
import { parseIntrospection } from "./_introspection-answer.js";

/** A source of access tokens by the token itself (what `oauth2Auth({ introspection })` asks). */
export interface IntrospectionSource {
  /**
   * The active token, or `null` for an inactive one; throws `StoreError` when the endpoint cannot answer
   * (network, timeout, a non-200 status, an answer that is not RFC 7662 JSON): the request is refused with 503.
   */
  introspect(token: string, now: number): Promise<StoredOAuth2AccessToken | null>;
}

/** Options of `introspectionSource`: `clientId` + `clientSecret` (HTTP Basic) or `token` (Bearer), not both. */
export interface IntrospectionSourceOptions {
  /** The introspection endpoint, e.g. `https://auth.example.com/o/introspect/`. */
  readonly url: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** A token with DOT's `introspection` scope (DOT's `RESOURCE_SERVER_AUTH_TOKEN`). */
  readonly token?: string;
  /** Cache bound: at most `maxEntries` tokens, each kept `maxTtlMs` at most and never past its `exp`. `false`: none. Default `{ maxEntries: 10_000, maxTtlMs: 60_000 }`. */
  readonly cache?: { readonly maxEntries: number; readonly maxTtlMs: number } | false;
  /** Per-request timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Resolve the answer's `username` to a user of this store (an unknown username is an inactive token). Default: `{ id: "introspected:<username>", username, isActive: true, isStaff: false }` (never a local user's id). */
  readonly users?: Pick<UserStore, "getUserByUsername">;
  /** The `fetch` to use. Default the global one. */
  readonly fetch?: typeof fetch;
}

/** The `id` of an introspected user without `users`: `introspected:<username>`, never a local user's id. */
const INTROSPECTED_ID_PREFIX = "introspected:";

/** Answers larger than this are refused (an RFC 7662 answer is a few hundred bytes). */
const MAX_ANSWER_BYTES = 64 * 1024;

function positive(name: string, value: unknown): number {
  if (!(Number.isSafeInteger(value) && (value as number) > 0)) throw new ConfigError(name, "must be a positive integer");
  return value as number;
}

function authorization(options: IntrospectionSourceOptions): string {
  const { clientId, clientSecret, token } = options;
  if (token !== undefined) {
    if (clientId !== undefined || clientSecret !== undefined) throw new ConfigError("token", "give token or clientId/clientSecret, not both");
    if (typeof token !== "string" || !/^[\x21-\x7e]+$/.test(token)) throw new ConfigError("token", "must be a printable token");
    return `Bearer ${token}`;
  }
  if (typeof clientId !== "string" || clientId === "" || typeof clientSecret !== "string" || clientSecret === "") {
    throw new ConfigError("clientId", "clientId and clientSecret (or token) are required");
  }
  // DOT's RESOURCE_SERVER_INTROSPECTION_CREDENTIALS: base64 of the UTF-8 `id:secret`, not form-encoded first.
  const bytes = new TextEncoder().encode(`${clientId}:${clientSecret}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * An RFC 7662 introspection source for `oauth2Auth`. Only `active: true` (the JSON boolean) is active; an answer
 * without a boolean `active`, or with a malformed `exp`/`scope`/`username`/`client_id`, is a failure (503), never
 * a pass. Cache entries are keyed by the SHA-256 of the token, so the cache holds no token.
 * @example
 * const introspection = introspectionSource({ url: "https://auth.example.com/o/introspect/", clientId, clientSecret });
 * const schemes = [oauth2Auth({ introspection })];
 */
export function introspectionSource(options: IntrospectionSourceOptions): IntrospectionSource {
  let url: URL;
  try {
    url = new URL(options?.url);
  } catch {
    throw new ConfigError("url", "must be an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError("url", "must be http(s)");
  const header = authorization(options);
  const cacheOption = options.cache ?? { maxEntries: 10_000, maxTtlMs: 60_000 };
  const maxEntries = cacheOption === false ? 0 : positive("cache.maxEntries", cacheOption.maxEntries);
  const maxTtlMs = cacheOption === false ? 0 : positive("cache.maxTtlMs", cacheOption.maxTtlMs);
  const timeoutMs = positive("timeoutMs", options.timeoutMs ?? 5000);
  const doFetch = options.fetch ?? globalThis.fetch;
  const users = options.users;
  if (users !== undefined && typeof users?.getUserByUsername !== "function") throw new ConfigError("users", "must be a user store");
  const cache = new Map<string, { readonly token: StoredOAuth2AccessToken; readonly until: number }>();
  const pending = new Map<string, Promise<StoredOAuth2AccessToken | null>>();

  async function ask(token: string, now: number): Promise<StoredOAuth2AccessToken | null> {
    let response: Response;
    try {
      response = await doFetch(url.href, {
        method: "POST",
        headers: { Authorization: header, "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({ token }).toString(),
        // Never followed: a 3xx is a non-200 answer, a failure ("manual", since Workers' fetch has no "error").
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new StoreError("OAuth2 introspection request failed", { cause: error });
    }
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw new StoreError(`OAuth2 introspection answered ${response.status}`);
    }
    const bytes = await readStreamLimited(response.body, MAX_ANSWER_BYTES).catch((error: unknown) => {
      throw new StoreError("OAuth2 introspection answer could not be read", { cause: error });
    });
    if (bytes === null) throw new StoreError("OAuth2 introspection answer too large");
    const answer = parseIntrospection(bytes, now, maxTtlMs);
    if (answer === null || answer.username === null) return answer === null ? null : { ...answer.token, user: null };
    const user = await userFor(answer.username);
    return user === null ? null : { ...answer.token, user };
  }

  async function userFor(username: string): Promise<User | null> {
    // Not `id: username`: the authorization server's usernames are not this server's ids, and a user who signed up
    // there as "1" would otherwise hold local user 1's permissions and count in that user's throttle bucket.
    if (users === undefined) return { id: `${INTROSPECTED_ID_PREFIX}${username}`, username, isActive: true, isStaff: false };
    return (await users.getUserByUsername(username))?.user ?? null;
  }

  function remember(key: string, token: StoredOAuth2AccessToken, now: number): void {
    if (maxEntries === 0) return;
    const until = Math.min(now + maxTtlMs, token.expiresAt ?? now);
    if (until <= now) return;
    cache.delete(key);
    cache.set(key, { token, until });
    // Oldest first: evict until the bound holds (a Map iterates in insertion order).
    for (const oldest of cache.keys()) {
      if (cache.size <= maxEntries) break;
      cache.delete(oldest);
    }
  }

  return {
    async introspect(token, now) {
      const key = sha256Hex(token);
      const hit = cache.get(key);
      if (hit !== undefined) {
        if (hit.until > now) return hit.token;
        cache.delete(key);
      }
      // Concurrent requests with one token share one introspection call.
      let answer = pending.get(key);
      if (answer === undefined) {
        answer = ask(token, now).finally(() => pending.delete(key));
        pending.set(key, answer);
      }
      const found = await answer;
      if (found !== null) remember(key, found, now);
      return found;
    },
  };
}
