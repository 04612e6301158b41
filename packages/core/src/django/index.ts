/**
 * `@portcullis/core/django`: moving a Django user table and its DRF tokens into a Portcullis store.
 * @module
 */
export { DumpError } from "./dump.js";
export { importedTokenId, type ImportTarget } from "./import-plan.js";
export { ImportInterruptedError, importDjango, type ImportDjangoOptions, type ImportDjangoResult } from "./import-django.js";
