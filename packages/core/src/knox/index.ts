/**
 * `@portcullis/core/knox`: django-rest-knox 5, live. `knoxAuth` reads knox's `knox_authtoken` rows (through any
 * store with the `KnoxTokenStore` capability, PostgreSQL in Django mode included) and the handlers answer as
 * knox's login, logout and logoutall views, so Django and Portcullis share one set of tokens.
 * @module
 */
export type { KnoxAuthOptions, KnoxAuthRecord } from "./knox-auth.js";
export { knoxAuth } from "./knox-auth.js";
export type { KnoxSettings, KnoxSettingsOptions } from "./settings.js";
export { KNOX_CONSTANTS, knoxSettings } from "./settings.js";
export type { KnoxLoginOptions, KnoxLogoutOptions } from "./endpoints.js";
export { knoxLoginHandler, knoxLogoutAllHandler, knoxLogoutHandler } from "./endpoints.js";
export { knoxMessages } from "./_check.js";
export type { FoundKnoxToken, KnoxTokenRecord, KnoxTokenStore } from "../store/types.js";
export type { IssueKnoxTokenOptions } from "./tokens.js";
export { issueKnoxToken } from "./tokens.js";
