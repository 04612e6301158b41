/**
 * A real Django process for the end-to-end tests: `manage.py <command>` on one of the two stacks (`_stacks.ts`), and
 * Django's development server on a free loopback port, stopped by its PID. Each test project is a folder with a
 * `manage.py`; the database URL and anything else it reads come through `env`.
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { PYTHON, type DjangoStack } from "./_stacks.js";

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the server to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `manage.py <args>` in `project` on `stack`; answers its standard output. Input, if any, goes on stdin. */
export function manage(stack: DjangoStack, project: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  return execFileSync(PYTHON, ["manage.py", ...args], {
    cwd: project,
    env: { ...stack.env, ...options.env },
    input: options.input,
    encoding: "utf8",
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** A running development server. */
export interface DjangoServer {
  readonly url: string;
  readonly port: number;
  /** What the server printed so far (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

async function waitForPort(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Django exited with ${child.exitCode}:\n${output()}`);
    try {
      await fetch(url, { method: "HEAD", redirect: "manual" });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Django did not answer on ${url} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Starts `manage.py runserver 127.0.0.1:<free port> --noreload` in `project` and waits until it answers. Stop it
 * with `stop()` (SIGTERM to its PID, then SIGKILL after 5 s).
 */
export async function startDjango(stack: DjangoStack, project: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<DjangoServer> {
  const port = await freePort();
  const child = spawn(PYTHON, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload", "--nothreading"], {
    cwd: project,
    env: { ...stack.env, ...options.env, PYTHONUNBUFFERED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
  const url = `http://127.0.0.1:${port}`;
  const output = () => printed;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    process.kill(child.pid, "SIGTERM");
    const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPort(url, child, output, options.timeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, output, stop };
}
