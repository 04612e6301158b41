#!/usr/bin/env node
// `pnpm start`: applies the D1 migrations to the local (persisted) database, gives the Worker a SECRET_KEY for its
// JWT routes (a random one written once to the gitignored `.dev.vars`), then runs the example Worker in local
// workerd on http://127.0.0.1:8787 through `wrangler dev`, offline, and prints a walkthrough.
//   pnpm start -- --port 8788 --inspector-port 9230 [--persist-to <dir>]   (PORT=8788 works too)
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wrangler = join(here, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "" };

/** `--name value` or `--name=value` from the arguments (a literal `--` from `pnpm start -- ...` is ignored). */
function option(name) {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}
const port = option("port") ?? process.env.PORT ?? "8787";
const inspectorPort = option("inspector-port");
const persistTo = option("persist-to");
for (const [name, value] of [["port", port], ["inspector-port", inspectorPort]]) {
  if (value !== undefined && !/^\d{1,5}$/.test(value)) {
    console.error(`--${name} takes a port number, e.g. --${name} 8788`);
    process.exit(2);
  }
}
const persist = persistTo === undefined ? [] : ["--persist-to", persistTo];

const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "portcullis", "--local", ...persist], {
  cwd: here,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
if (migrate.status !== 0) {
  console.error("Applying the D1 migrations failed; see the output above.");
  process.exit(migrate.status ?? 1);
}

// wrangler dev reads local secrets from `.dev.vars`. A random key, made here once and kept, so tokens survive restarts;
// never a fixed key in the repository. (In production: `wrangler secret put SECRET_KEY`, e.g. Django's SECRET_KEY.)
const devVars = join(here, ".dev.vars");
const vars = existsSync(devVars) ? readFileSync(devVars, "utf8") : "";
if (!/^SECRET_KEY\s*=/m.test(vars)) {
  const key = randomBytes(48).toString("base64url");
  writeFileSync(devVars, `${vars}${vars === "" || vars.endsWith("\n") ? "" : "\n"}SECRET_KEY=${key}\n`, { mode: 0o600 });
  process.stdout.write("Wrote a random SECRET_KEY to examples/worker-d1/.dev.vars (gitignored) for the JWT routes.\n");
}

const base = `http://127.0.0.1:${port}`;
const cliPersist = persistTo === undefined ? "" : ` --persist-to ${persistTo}`;
const walkthrough = `
Portcullis example API on ${base} (local workerd, D1 persisted in examples/worker-d1/.wrangler/state)

In another terminal, from the repository root:

  # 1. create a user (the password is read from stdin, never from an argument)
  printf 'correct horse battery staple' | pnpm portcullis create-user alice --password-stdin${cliPersist}

  # 2. obtain a token
  curl -s -X POST ${base}/api-token-auth/ -H 'Content-Type: application/json' \\
       -d '{"username": "alice", "password": "correct horse battery staple"}'

  # 3. call the API with it (200), and without it (401, WWW-Authenticate: Token)
  curl -s ${base}/api/me -H 'Authorization: Token <the token from step 2>'
  curl -si ${base}/api/me

  # or mint a token directly:  pnpm portcullis create-token alice${cliPersist}

  # 4. JWT, as djangorestframework-simplejwt: a pair, then the access token as Bearer
  curl -s -X POST ${base}/api/token/ -H 'Content-Type: application/json' \\
       -d '{"username": "alice", "password": "correct horse battery staple"}'
  curl -s ${base}/api/me -H 'Authorization: Bearer <access>'
  # 5. refresh: a new access token and, as refresh tokens rotate, a new refresh token (the old one is spent)
  curl -s -X POST ${base}/api/token/refresh/ -H 'Content-Type: application/json' -d '{"refresh": "<refresh>"}'
  # 6. log out: blacklist the newest refresh token, the one step 5 answered
  curl -s -X POST ${base}/api/token/blacklist/ -H 'Content-Type: application/json' -d '{"refresh": "<the refresh from step 5>"}'
`;

const server = spawn(wrangler, [
  "dev", "--local", "--ip", "127.0.0.1", "--port", port, "--show-interactive-dev-session=false",
  ...(inspectorPort === undefined ? [] : ["--inspector-port", inspectorPort]),
  ...persist,
], {
  cwd: here,
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
let shown = false;
server.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!shown && String(chunk).includes("Ready on")) {
    shown = true;
    process.stdout.write(walkthrough);
  }
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
