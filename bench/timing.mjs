/**
 * Timing: Basic auth and the token endpoint should spend the same time on an unknown user, a wrong password and
 * an inactive user (users hashed with the default 1,000,000-iteration PBKDF2), so that the answer's time does not
 * tell which it was. The cases run interleaved (a fresh order each round, after a warm-up round), one call at a
 * time; the report is each case's median, its ratio to the wrong-password case and whether every case is within
 * ±20 % of it. A control row (a request refused before any password work) shows what a leak would look like; it
 * is not judged.
 *
 * A third table runs the token endpoint per hasher: for each kind of row a Django table holds (Django's default
 * parameters, an older PBKDF2 count, legacy md5), a wrong password against that row beside an unknown user. Rows
 * dearer than the dummy check (bcrypt at cost 12, Django's default argon2, PBKDF2 above the default) are marked
 * "dearer" and not judged: nothing but their own work can answer them, so the residual is reported as measured.
 *
 * Run after `pnpm build` (it imports the built packages): `node bench/timing.mjs [rounds] [--hasher-rounds=N]`
 * (default 15 and 5), or with `--json` for a machine-readable result.
 * @module
 */
import { basicAuth, hashPassword, obtainTokenHandler } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { pbkdf2Sync } from "node:crypto";
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const ROUNDS = Number(args.find((a) => /^\d+$/.test(a)) ?? 15);
const JSON_OUTPUT = args.includes("--json");
const TOLERANCE = 0.2;
const BASELINE = "wrong password";
const HASHER_ROUNDS = Number(args.find((a) => a.startsWith("--hasher-rounds="))?.split("=")[1] ?? 5);
const VECTORS = JSON.parse(readFileSync(new URL("../packages/core/test/vectors/django-password-hashes.json", import.meta.url), "utf8"));

async function users() {
  const store = memoryStore();
  const passwordHash = await hashPassword("s3cret");
  await store.createUser({ username: "alice", passwordHash });
  await store.createUser({ username: "carol", passwordHash, isActive: false });
  return store;
}

/** Basic auth cases: each call answers the failure detail (checked, so that every case is the outcome it claims). */
function basicCases(store) {
  const scheme = basicAuth({ users: store, bruteForce: false });
  const call = (credentials) => async () => {
    const request = new Request("http://127.0.0.1/", { headers: { Authorization: `Basic ${btoa(credentials)}` } });
    const result = await scheme.authenticate(request, {});
    return result.type === "failure" ? result.detail : result.type;
  };
  return {
    expected: {
      judged: "Invalid username/password.",
      control: "Invalid basic header. Credentials not correctly base64 encoded.",
    },
    cases: [
      { name: "unknown user", run: call("mallory:s3cret") },
      { name: "wrong password", run: call("alice:wrong") },
      { name: "inactive user", run: call("carol:s3cret") },
      { name: "control: no colon (no password work)", control: true, run: call("alice") },
    ],
  };
}

/** Token endpoint cases: each call answers `status body`. */
function endpointCases(store) {
  const handler = obtainTokenHandler({ store, bruteForce: false });
  const call = (body) => async () => {
    const request = new Request("http://127.0.0.1/api-token-auth/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const response = await handler(request);
    return `${response.status} ${await response.text()}`;
  };
  return {
    expected: {
      judged: '400 {"non_field_errors":["Unable to log in with provided credentials."]}',
      control: '400 {"password":["This field is required."]}',
    },
    cases: [
      { name: "unknown user", run: call({ username: "mallory", password: "s3cret" }) },
      { name: "wrong password", run: call({ username: "alice", password: "wrong" }) },
      { name: "inactive user", run: call({ username: "carol", password: "s3cret" }) },
      { name: "control: no password field (no password work)", control: true, run: call({ username: "alice" }) },
    ],
  };
}

/** A `pbkdf2_sha1` row at Django's default count, made here (Django's own tests hold none at 1,000,000). */
function pbkdf2Sha1Row(password, iterations) {
  const salt = "TimingSha1Salt00000000";
  return `pbkdf2_sha1$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 20, "sha1").toString("base64")}`;
}

const vector = (prefix) => VECTORS.find((v) => v.encoded.startsWith(prefix));

/** One user per kind of row, each the row Django writes by default unless said otherwise. */
const HASHER_ROWS = [
  { name: "pbkdf2_sha256, 1,000,000 (default)", row: () => ({ password: "s3cret", encoded: null }) },
  { name: "pbkdf2_sha256, 870,000 (Django 5.1)", row: () => vector("pbkdf2_sha256$870000$kR5t") },
  { name: "pbkdf2_sha1, 1,000,000", row: () => ({ password: "s3cret", encoded: pbkdf2Sha1Row("s3cret", 1_000_000) }) },
  { name: "scrypt, N=2^14 r=8 p=1 (default)", row: () => vector("scrypt$16384$seasalt$8$1$") },
  { name: "md5 (legacy)", row: () => vector("md5$seasalt$") },
  { name: "pbkdf2_sha256, 1,500,000", dearer: true, row: () => vector("pbkdf2_sha256$1500000$seasalt$") },
  { name: "bcrypt_sha256, cost 12 (default)", dearer: true, row: () => vector("bcrypt_sha256$$2b$12$") },
  { name: "bcrypt, cost 12", dearer: true, row: () => vector("bcrypt$$2b$12$") },
  { name: "argon2id, m=100 MiB t=2 p=8 (default)", dearer: true, row: () => vector("argon2$argon2id$v=19$m=102400") },
];

/** Token endpoint per hasher: a wrong password against each kind of row, and an unknown user (the baseline). */
async function hasherCases() {
  const store = memoryStore();
  const cases = [];
  const call = (body) => async () => {
    const request = new Request("http://127.0.0.1/api-token-auth/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const response = await handler(request);
    return `${response.status} ${await response.text()}`;
  };
  const handler = obtainTokenHandler({ store, bruteForce: false });
  for (const [index, { name, dearer, row }] of HASHER_ROWS.entries()) {
    const { password, encoded } = row();
    const username = `user${index}`;
    await store.createUser({ username, passwordHash: encoded ?? (await hashPassword(password)) });
    cases.push({ name: `wrong password, ${name}`, dearer, run: call({ username, password: `${password}-wrong` }) });
  }
  cases.unshift({ name: "unknown user", run: call({ username: "mallory", password: "s3cret" }) });
  return {
    baseline: "unknown user",
    expected: { judged: '400 {"non_field_errors":["Unable to log in with provided credentials."]}' },
    cases,
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function shuffled(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Times every case once per round, in a fresh order each round; round 0 is a warm-up. */
async function measure({ cases, expected, baseline: baselineName = BASELINE }, rounds = ROUNDS) {
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const c of shuffled(cases)) {
      const start = process.hrtime.bigint();
      const answer = await c.run();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const want = c.control ? expected.control : expected.judged;
      if (answer !== want) throw new Error(`${c.name}: expected ${want}, got ${answer}`);
      if (round > 0) samples.get(c.name).push(ms);
    }
  }
  const baseline = median(samples.get(baselineName));
  const rows = cases.map((c) => {
    const ms = median(samples.get(c.name));
    const ratio = ms / baseline;
    const control = Boolean(c.control || c.dearer);
    return { name: c.name, control, dearer: Boolean(c.dearer), medianMs: ms, ratio, within: Math.abs(ratio - 1) <= TOLERANCE };
  });
  return { rows, allWithin: rows.filter((r) => !r.control).every((r) => r.within) };
}

function table(title, { rows, allWithin }, subject = "unknown user, wrong password and inactive user are", baseline = "the wrong-password case") {
  const lines = [
    `| ${title} | median ms | ratio to wrong password | within ±20 % |`,
    "| --- | ---: | ---: | :---: |",
    ...rows.map((r) => {
      const verdict = r.dearer ? "(dearer row: residual)" : r.control ? "(not judged)" : r.within ? "yes" : "NO";
      return `| ${r.name} | ${r.medianMs.toFixed(1)} | ${r.ratio.toFixed(2)}× | ${verdict} |`;
    }),
    "",
    `${allWithin ? "PASS" : "FAIL"}: ${title}: ${subject} ` +
      `${allWithin ? "" : "NOT "}all within ±20 % of ${baseline}.`,
  ];
  return lines.join("\n");
}

const store = await users();
process.stderr.write(`[timing] ${ROUNDS} rounds, Node ${process.version}\n`);
const basic = await measure(basicCases(store));
const endpoint = await measure(endpointCases(store));
const hashers = await measure(await hasherCases(), HASHER_ROUNDS);

if (JSON_OUTPUT) {
  const result = { rounds: ROUNDS, hasherRounds: HASHER_ROUNDS, tolerance: TOLERANCE, basic, endpoint, hashers };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  process.stdout.write(`\n## Timing (${ROUNDS} interleaved rounds, default 1,000,000-iteration PBKDF2)\n\n`);
  process.stdout.write(`${table("Basic auth", basic)}\n\n${table("Token endpoint", endpoint)}\n`);
  process.stdout.write(`\n### Per hasher (token endpoint, ${HASHER_ROUNDS} interleaved rounds; ratio to the unknown user)\n\n`);
  const perHasher = table("Token endpoint, per hasher", hashers, "wrong passwords against the rows not marked dearer are", "the unknown user");
  process.stdout.write(`${perHasher.replace("ratio to wrong password", "ratio to unknown user")}\n`);
}
