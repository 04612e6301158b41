/**
 * Timing: Basic auth and the token endpoint should spend the same time on an unknown user, a wrong password and
 * an inactive user (users hashed with the default 1,000,000-iteration PBKDF2), so that the answer's time does not
 * tell which it was. The cases run interleaved (a fresh order each round, after a warm-up round), one call at a
 * time; the report is each case's median, its ratio to the wrong-password case and whether every case is within
 * ±20 % of it. A control row (a request refused before any password work) shows what a leak would look like; it
 * is not judged.
 *
 * Run after `pnpm build` (it imports the built packages): `node bench/timing.mjs [rounds]` (default 15), or with
 * `--json` for a machine-readable result.
 * @module
 */
import { basicAuth, hashPassword, obtainTokenHandler } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";

const args = process.argv.slice(2);
const ROUNDS = Number(args.find((a) => /^\d+$/.test(a)) ?? 15);
const JSON_OUTPUT = args.includes("--json");
const TOLERANCE = 0.2;
const BASELINE = "wrong password";

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
async function measure({ cases, expected }) {
  const samples = new Map(cases.map((c) => [c.name, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const c of shuffled(cases)) {
      const start = process.hrtime.bigint();
      const answer = await c.run();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const want = c.control ? expected.control : expected.judged;
      if (answer !== want) throw new Error(`${c.name}: expected ${want}, got ${answer}`);
      if (round > 0) samples.get(c.name).push(ms);
    }
  }
  const baseline = median(samples.get(BASELINE));
  const rows = cases.map((c) => {
    const ms = median(samples.get(c.name));
    const ratio = ms / baseline;
    return { name: c.name, control: Boolean(c.control), medianMs: ms, ratio, within: Math.abs(ratio - 1) <= TOLERANCE };
  });
  return { rows, allWithin: rows.filter((r) => !r.control).every((r) => r.within) };
}

function table(title, { rows, allWithin }) {
  const lines = [
    `| ${title} | median ms | ratio to wrong password | within ±20 % |`,
    "| --- | ---: | ---: | :---: |",
    ...rows.map((r) => {
      const verdict = r.control ? "(not judged)" : r.within ? "yes" : "NO";
      return `| ${r.name} | ${r.medianMs.toFixed(1)} | ${r.ratio.toFixed(2)}× | ${verdict} |`;
    }),
    "",
    `${allWithin ? "PASS" : "FAIL"}: ${title}: unknown user, wrong password and inactive user are ` +
      `${allWithin ? "" : "NOT "}all within ±20 % of the wrong-password case.`,
  ];
  return lines.join("\n");
}

const store = await users();
process.stderr.write(`[timing] ${ROUNDS} rounds, Node ${process.version}\n`);
const basic = await measure(basicCases(store));
const endpoint = await measure(endpointCases(store));

if (JSON_OUTPUT) {
  process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, tolerance: TOLERANCE, basic, endpoint }, null, 2)}\n`);
} else {
  process.stdout.write(`\n## Timing (${ROUNDS} interleaved rounds, default 1,000,000-iteration PBKDF2)\n\n`);
  process.stdout.write(`${table("Basic auth", basic)}\n\n${table("Token endpoint", endpoint)}\n`);
}
