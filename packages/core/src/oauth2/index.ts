/**
 * `@portcullis/core/oauth2`: a resource server for django-oauth-toolkit's access tokens. `oauth2Auth` reads them
 * from DOT's table (through a store with `findOAuth2AccessToken`) or from an RFC 7662 introspection endpoint;
 * `tokenHasScope`, `tokenHasReadWriteScope`, `tokenHasResourceScope` and `tokenMatchesOASRequirements` are DOT's
 * DRF permissions.
 * @module
 */
export type { OAuth2AuthOptions } from "./oauth2-auth.js";
export { MAX_OAUTH2_TOKEN_LENGTH, oauth2Auth, oauth2Messages } from "./oauth2-auth.js";
export type { OAuth2Token } from "./_token.js";
export { isOAuth2Token } from "./_token.js";
export type { TokenScopeOptions } from "./scopes.js";
export { tokenHasReadWriteScope, tokenHasResourceScope, tokenHasScope, tokenMatchesOASRequirements } from "./scopes.js";
export type { IntrospectionSource, IntrospectionSourceOptions } from "./introspection.js";
export { introspectionSource } from "./introspection.js";
export type { OAuth2TokenStore, StoredOAuth2AccessToken } from "../store/types.js";
