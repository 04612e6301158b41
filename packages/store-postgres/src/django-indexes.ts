/**
 * `djangoIndexes`: the indexes Portcullis suggests for a Django database it serves in Django mode, as SQL to put
 * in a migration of the Django project (`migrations.RunSQL`), never applied by Portcullis itself (it does not
 * alter Django's tables). `portcullis django-indexes` prints them.
 * @module
 */
import { DRF_KEY_DIGEST } from "./_django-tokens.js";

/** One suggested index: why, its SQL and the SQL that drops it. */
export interface DjangoIndex {
  readonly name: string;
  readonly table: string;
  readonly why: string;
  readonly sql: string;
  readonly reverseSql: string;
}

/**
 * The suggested indexes. The DRF one indexes exactly the expression `findToken` compares (the SHA-256 digest of
 * `authtoken_token.key`), so a DRF key is an index lookup instead of a sequential scan.
 * @example
 * ```ts
 * import { djangoIndexes } from "@portcullis/store-postgres";
 *
 * for (const index of djangoIndexes) console.log(`${index.sql};`);
 * ```
 */
export const djangoIndexes: readonly DjangoIndex[] = [
  {
    name: "portcullis_authtoken_digest",
    table: "authtoken_token",
    why: "DRF keys looked up by their SHA-256 digest without a sequential scan of authtoken_token",
    sql: `CREATE INDEX portcullis_authtoken_digest ON authtoken_token ((${DRF_KEY_DIGEST.replace("d.key", "key")}))`,
    reverseSql: "DROP INDEX portcullis_authtoken_digest",
  },
];
