/**
 * The load process of sections 2 and 5: runs autocannon against one URL (a warm-up run, then the measured
 * run) and prints its figures as one JSON line. Argument: a JSON object
 * `{ url, connections, warmupSec, durationSec, headers?, tokens?, keyword? }`; with `tokens`, requests rotate
 * through them (`Authorization: <keyword> <token>`), so per-user throttles see many users.
 * @module
 */
import autocannon from "autocannon";

const options = JSON.parse(process.argv[2]);

function requestsOf({ tokens, keyword = "Token" }) {
  if (!tokens) return undefined;
  let next = 0;
  return [
    {
      setupRequest(request) {
        const token = tokens[next++ % tokens.length];
        return { ...request, headers: { ...request.headers, authorization: `${keyword} ${token}` } };
      },
    },
  ];
}

function load(durationSec) {
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: durationSec,
    headers: options.headers ?? {},
    requests: requestsOf(options),
    timeout: 10,
  });
}

const warmup = options.warmupSec > 0 ? await load(options.warmupSec) : null;
const result = await load(options.durationSec);
process.stdout.write(
  `${JSON.stringify({
    requestsPerSec: result.requests.average,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    warmupTotal: warmup?.requests.total ?? 0,
  })}\n`,
);
