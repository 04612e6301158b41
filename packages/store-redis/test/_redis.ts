/**
 * A real redis-server for the tests of this package (never mocked). Each `startRedis()` starts its own
 * `redis-server` on a free port, bound to 127.0.0.1, without persistence, and `stop()` kills it by PID. Without
 * the binary the tests are skipped with a line saying what to install; with `CI=true` that is a failure.
 * `PORTCULLIS_REDIS_URL` (when set) is used by `sharedRedisUrl()` instead of starting a server.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BINARY = process.env.PORTCULLIS_REDIS_SERVER ?? "redis-server";
const INSTALL = "skipping Redis tests: install redis-server (apt-get install redis-server) or set PORTCULLIS_REDIS_URL";

/** Whether a `redis-server` binary runs here. */
export const hasRedisServer = spawnSync(BINARY, ["--version"], { stdio: "ignore" }).status === 0;

/** Whether the Redis tests can run (a binary to start, or a server to use). */
export const redisMissing = !hasRedisServer && !process.env.PORTCULLIS_REDIS_URL;

if (process.env.CI === "true" && !hasRedisServer) {
  throw new Error("CI=true: redis-server is missing (apt-get install redis-server); the cluster and kill tests start their own");
}
if (redisMissing) {
  if (process.env.CI === "true") throw new Error(`CI=true: Redis is missing (${INSTALL.replace("skipping Redis tests: ", "")})`);
  console.warn(INSTALL);
}

/** A redis-server this test process started. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Kills the server by PID (idempotent) and removes its directory. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`redis-server: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function pings(port: number): boolean {
  const reply = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "PING"], { encoding: "utf8" });
  return reply.stdout?.trim() === "PONG";
}

/** Starts a fresh redis-server (extra `args`, e.g. `["--cluster-enabled", "yes"]`) and waits until it answers. */
export async function startRedis(args: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "portcullis-redis-"));
  const pidfile = join(dir, "redis.pid");
  execFileSync(BINARY, [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--daemonize", "yes", "--pidfile", pidfile, "--dir", dir, "--logfile", join(dir, "redis.log"), ...args,
  ]);
  await waitFor(() => pings(port), "PING");
  const pid = Number(readFileSync(pidfile, "utf8").trim());
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid,
    async stop() {
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
      await waitFor(() => !isAlive(pid), "exit");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `PORTCULLIS_REDIS_URL` when set, else a server of our own (stopped by the returned `stop`). */
export async function sharedRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const url = process.env.PORTCULLIS_REDIS_URL;
  if (url) return { url, stop: async () => undefined };
  return startRedis();
}
