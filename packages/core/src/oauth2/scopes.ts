/**
 * DOT's DRF permissions on the scopes of an OAuth2 access token: `TokenHasScope`, `TokenHasReadWriteScope`,
 * `TokenHasResourceScope` and `TokenMatchesOASRequirements`. Like DOT they deny (403 for an authenticated request,
 * DRF's `NotAuthenticated` 401 otherwise) without a `WWW-Authenticate` `insufficient_scope`: DOT's
 * `OAuth2Authentication` checks no scope, so DRF's 403 carries no challenge.
 * @module
 */
import { messages } from "../auth-error.js";
import { ConfigError, PermissionDenial } from "../errors.js";
import type { AuthenticatedPermission, PermissionCheck } from "../permissions/types.js";
import { isOAuth2Token, type OAuth2Token } from "./_token.js";

/** DRF's `SAFE_METHODS`. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Options shared by the scope permissions. */
export interface TokenScopeOptions {
  /** DOT's `READ_SCOPE`. Default `"read"`. */
  readonly readScope?: string;
  /** DOT's `WRITE_SCOPE`. Default `"write"`. */
  readonly writeScope?: string;
  /**
   * DOT's `ERROR_RESPONSE_WITH_SCOPES`: a 403 for missing scopes answers `{"detail", "required_scopes"}`.
   * Default `false`, as DOT.
   */
  readonly errorResponseWithScopes?: boolean;
}

function checkScopes(name: string, scopes: readonly string[] | undefined): readonly string[] {
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== "string" || scope === "" || /\s/.test(scope))) {
    throw new ConfigError(name, "must be an array of scopes without whitespace");
  }
  return Object.freeze([...scopes]);
}

/** DOT's `allow_scopes`: every required scope is among the token's (no requirement allows). */
function allows(token: OAuth2Token, required: readonly string[]): boolean {
  return required.every((scope) => token.scopes.includes(scope));
}

/** DOT's `TokenHasScope.has_permission` for the scopes `required(request)` names. */
function scopePermission(
  required: (request: Request) => readonly string[],
  options: TokenScopeOptions,
): AuthenticatedPermission {
  const withScopes = options.errorResponseWithScopes === true;
  return Object.freeze<AuthenticatedPermission>({
    hasPermission({ request, authenticated, auth }: PermissionCheck) {
      if (!authenticated || !isOAuth2Token(auth)) return false;
      // The token's expiry was checked by oauth2Auth with the request's clock (DOT checks it again here).
      const scopes = required(request);
      if (allows(auth, scopes)) return true;
      if (withScopes && scopes.length > 0) {
        const body = { detail: messages.permissionDenied, required_scopes: [...scopes] };
        throw new PermissionDenial({ status: 403, code: "permission_denied", detail: messages.permissionDenied, headers: {}, body });
      }
      return false;
    },
    requiresAuthentication: true,
  });
}

function readWrite(options: TokenScopeOptions): (request: Request) => string {
  const read = options.readScope ?? "read";
  const write = options.writeScope ?? "write";
  checkScopes("readScope", [read]);
  checkScopes("writeScope", [write]);
  return (request) => (SAFE_METHODS.has(request.method.toUpperCase()) ? read : write);
}

/**
 * DOT's `TokenHasScope`: the token holds every scope of `requiredScopes` (the view's `required_scopes`).
 * @example
 * guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["music", "read"])] });
 */
export function tokenHasScope(requiredScopes: readonly string[], options: TokenScopeOptions = {}): AuthenticatedPermission {
  const scopes = checkScopes("requiredScopes", requiredScopes);
  return scopePermission(() => scopes, options);
}

/**
 * DOT's `TokenHasReadWriteScope`: `requiredScopes` (default none) plus `read` for GET/HEAD/OPTIONS, else `write`.
 * @example
 * guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasReadWriteScope()] });
 */
export function tokenHasReadWriteScope(options: TokenScopeOptions & { readonly requiredScopes?: readonly string[] } = {}): AuthenticatedPermission {
  const scopes = checkScopes("requiredScopes", options.requiredScopes ?? []);
  const method = readWrite(options);
  return scopePermission((request) => [...scopes, method(request)], options);
}

/**
 * DOT's `TokenHasResourceScope`: `<scope>:read` for safe methods, `<scope>:write` otherwise, for each of
 * `requiredScopes` (as DOT, no scope listed allows any valid token).
 * @example
 * guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasResourceScope(["songs"])] });
 */
export function tokenHasResourceScope(requiredScopes: readonly string[], options: TokenScopeOptions = {}): AuthenticatedPermission {
  const scopes = checkScopes("requiredScopes", requiredScopes);
  const method = readWrite(options);
  return scopePermission((request) => scopes.map((scope) => `${scope}:${method(request)}`), options);
}

/**
 * DOT's `TokenMatchesOASRequirements`: per method (upper case), a list of alternatives, each a list of scopes; the
 * first alternative the token satisfies allows. A method not listed is denied.
 * @example
 * tokenMatchesOASRequirements({ GET: [["read"]], POST: [["create", "write"], ["admin"]] });
 */
export function tokenMatchesOASRequirements(
  alternatives: Readonly<Record<string, readonly (readonly string[])[]>>,
): AuthenticatedPermission {
  if (typeof alternatives !== "object" || alternatives === null) throw new ConfigError("alternatives", "must map methods to lists of scope lists");
  const table = new Map<string, readonly (readonly string[])[]>();
  for (const [method, options] of Object.entries(alternatives)) {
    if (!Array.isArray(options)) throw new ConfigError(`alternatives.${method}`, "must be a list of scope lists");
    table.set(method.toUpperCase(), options.map((scopes, i) => checkScopes(`alternatives.${method}[${i}]`, scopes)));
  }
  return Object.freeze<AuthenticatedPermission>({
    hasPermission({ request, authenticated, auth }: PermissionCheck) {
      if (!authenticated || !isOAuth2Token(auth)) return false;
      const options = table.get(request.method.toUpperCase());
      if (options === undefined) return false;
      return options.some((scopes) => allows(auth, scopes));
    },
    requiresAuthentication: true,
  });
}
