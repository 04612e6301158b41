/**
 * Redis for the `redis` section (internal): starts its own redis-server on a free port (127.0.0.1, no
 * persistence) and stops it by PID; loads `@portcullis/store-redis` (built) and its clients from that package.
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const storeRedis = new URL("../packages/store-redis/", import.meta.url);
const requireFromStore = createRequire(new URL("package.json", storeRedis));

/** `{ redisCounters }` from the built package, and the two client libraries it is tested with. */
export async function loadRedisModules() {
  const { redisCounters } = await import(new URL("dist/index.js", storeRedis).href);
  const { Redis } = await import(requireFromStore.resolve("ioredis"));
  const { createClient } = await import(requireFromStore.resolve("redis"));
  return { redisCounters, Redis, createClient };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server; answers `{ url, stop }`. */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-redis-"));
  const pidfile = join(dir, "redis.pid");
  execFileSync("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--daemonize", "yes", "--pidfile", pidfile, "--dir", dir, "--logfile", join(dir, "redis.log")]);
  for (let i = 0; ; i++) {
    const pong = spawnSync("redis-cli", ["-p", String(port), "PING"], { encoding: "utf8" }).stdout?.trim();
    if (pong === "PONG") break;
    if (i > 500) throw new Error("redis-server did not answer PING");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pid = Number(readFileSync(pidfile, "utf8").trim());
  return {
    url: `redis://127.0.0.1:${port}`,
    stop() {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
