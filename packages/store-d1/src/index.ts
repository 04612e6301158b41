/**
 * @portcullis/store-d1: a Portcullis `Store` on Cloudflare D1, its migrations, and `migrate(db)`.
 * @module
 */
export { d1Store } from "./d1-store.js";
export { migrate, type MigrateOptions } from "./migrate.js";
export { migrations, type Migration } from "./migrations.js";
export type { D1DatabaseLike, D1PreparedStatementLike, D1ResultLike } from "./d1-types.js";
export { d1ReplicaStore, type D1ReplicaStoreOptions, type D1SessionsDatabaseLike } from "./replica.js";
