/**
 * Where everything lives: users and tokens in PostgreSQL (`@portcullis/store-postgres` on a postgres.js client),
 * counters in Redis (`@portcullis/store-redis` on an ioredis client). Each process opens its own connections.
 * @module
 */
import { postgresStore, migrate } from "@portcullis/store-postgres";
import { redisCounters } from "@portcullis/store-redis";
import { Redis } from "ioredis";
import postgres from "postgres";

/** Connections and stores of one process; `close()` ends both connections. */
export function openStores(env = process.env) {
  const pgUrl = env.PORTCULLIS_PG_URL;
  const redisUrl = env.PORTCULLIS_REDIS_URL ?? "redis://127.0.0.1:6379";
  if (!pgUrl) throw new Error("Set PORTCULLIS_PG_URL (e.g. postgres://portcullis:portcullis@127.0.0.1:5432/portcullis_test).");
  const sql = postgres(pgUrl, { max: 4, onnotice: () => undefined });
  const redis = new Redis(redisUrl);
  return {
    store: postgresStore(sql),
    counters: redisCounters(redis, { prefix: "node-cluster:" }),
    migrate: () => migrate(sql),
    close: async () => {
      redis.disconnect();
      await sql.end({ timeout: 5 });
    },
  };
}
