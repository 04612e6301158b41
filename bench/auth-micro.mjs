/**
 * Section 1: `authenticate()` with `tokenAuth` on the memory store, a three-scheme policy and a full `guard()`
 * (permission + throttle), each against a bare SHA-256 of the key (the floor: every token check hashes it).
 * Run alone with `node bench/auth-micro.mjs` after `pnpm build`.
 * @module
 */
import { hash } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import {
  authenticate,
  basicAuth,
  guard,
  isAuthenticated,
  issueToken,
  tokenAuth,
  userRateThrottle,
} from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { compare, fmt, printResult, progress, ratio, target, writeResult } from "./_lib.mjs";

const TARGET_US = 2;
/** Issue #28: against the measured lower bound of any token check on a `Request` (a bare SHA-256 is below it). */
const TARGET_RATIO = 1.5;

async function setup() {
  const store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: "!unusable" });
  const { key } = await issueToken(store, user.id);
  const request = new Request("http://127.0.0.1/api/me", { headers: { Authorization: `Token ${key}` } });
  return { store, key, request };
}

/** The cases, each a closure built once (the loop itself allocates nothing of its own). */
function cases({ store, key, request }) {
  const token = [tokenAuth({ store })];
  // The token header is claimed by the third scheme: Basic and Bearer parse it and skip.
  const three = [basicAuth({ users: store }), tokenAuth({ store, keyword: "Bearer" }), tokenAuth({ store })];
  const protect = guard({
    schemes: token,
    permissions: [isAuthenticated],
    throttles: [userRateThrottle("100/min", { store })],
  });
  // A virtual clock one second apart per request keeps about 60 live hits in the user's log: always allowed.
  let clock = Date.now();
  const ctx = { clientIp: "127.0.0.1", now: () => clock };
  // What any token check on a `Request` must do: read the header, hash the key cut from it, one map lookup,
  // behind one awaited async call. Its distance from the floor is what no implementation can remove.
  const digests = new Map([[hash("sha256", key, "hex"), { id: "t" }]]);
  const keyword = "Token ".length;
  const lowerBound = async (req) => digests.get(hash("sha256", req.headers.get("authorization").slice(keyword), "hex")) ?? null;
  return [
    { name: "floor", label: "SHA-256 of the key (`node:crypto` `hash`, the floor)", sync: true, fn: () => hash("sha256", key, "hex") },
    { name: "noble", label: "SHA-256 of the key (`@noble/hashes`, portable path)", sync: true, fn: () => bytesToHex(sha256(utf8ToBytes(key))) },
    { name: "get", label: "reference: `request.headers.get(\"authorization\")` alone (undici)", sync: true, fn: () => request.headers.get("authorization") },
    {
      name: "bound",
      label: "reference: lower bound of any token check (`headers.get` + hash of the sliced key + `Map.get`, one `await`)",
      fn: () => lowerBound(request),
    },
    { name: "token", label: "`authenticate()`, `[tokenAuth]`", fn: () => authenticate(request, token) },
    { name: "three", label: "`authenticate()`, `[basicAuth, tokenAuth Bearer, tokenAuth]` (token third)", fn: () => authenticate(request, three) },
    {
      name: "guard",
      label: "`guard()`: `tokenAuth` + `isAuthenticated` + `userRateThrottle(\"100/min\")`",
      fn: async () => {
        clock += 1000;
        const decision = await protect(request, ctx);
        if (!decision.allowed) throw new Error(`guard denied: ${decision.error.detail}`);
      },
    },
  ];
}

export async function run() {
  progress("auth-micro: timing authenticate() and guard() on the memory store");
  const fixture = await setup();
  const list = cases(fixture);
  const check = await authenticate(fixture.request, [tokenAuth({ store: fixture.store })]);
  if (check.status !== "authenticated") throw new Error("the benchmark token does not authenticate");
  const timings = await compare(list, { rounds: 5, roundMs: 300 });
  const floor = timings.floor;
  const rows = list.map((c) => {
    const t = timings[c.name];
    return [c.label, fmt(t.us, 3), fmt(t.opsPerSec), ratio(t.ns / floor.ns)];
  });
  const token = timings.token;
  const tokenRatio = token.ns / timings.bound.ns;
  return {
    name: "auth-micro",
    title: "1. `authenticate()` and `guard()` on the memory store",
    description:
      "One token, one user, the same `Request` every call (header parsing, hashing, lookup and result objects are " +
      "redone each time). Median of ~20 ms batches over 5 interleaved rounds of 0.3 s per case, after a warm-up round. " +
      "The floor hashes the same flat key string in a synchronous loop; the two reference rows show what every " +
      "check on a `Request` adds to it whatever the implementation.",
    tables: [{ columns: ["case", "µs/call", "ops/s", "× floor"], rows }],
    targets: [
      target(`token \`authenticate()\` ≤ ${TARGET_US} µs per call`, `${fmt(token.us, 3)} µs`, token.us <= TARGET_US),
      target(`token \`authenticate()\` ≤ ${TARGET_RATIO}× the measured lower bound of any token check`, ratio(tokenRatio), tokenRatio <= TARGET_RATIO),
    ],
    raw: timings,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("auth-micro", await run());
  printResult(result);
}
