/**
 * One statement of the Django, DRF and simplejwt releases a deployment matches: `compat({ django, drf, simplejwt })`.
 * @module
 */
export type { Compat, CompatOptions, HasherDefaults } from "./compat.js";
export { compat, compatOf, DEFAULT_COMPAT, DEFAULT_RELEASES, isCompat } from "./compat.js";
export type { DjangoRelease, DrfRelease, Release, SimplejwtRelease } from "./releases.js";
export { DJANGO_RELEASES, DRF_RELEASES, SIMPLEJWT_RELEASES } from "./releases.js";
