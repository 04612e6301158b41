/**
 * `@portcullis/adapters/node` on real `http.createServer` servers on 127.0.0.1 (free ports), driven by real HTTP
 * clients: the socket's address (from 127.0.0.1 and 127.0.0.2) keys an anonymous throttle, `X-Forwarded-For` is
 * ignored unless `trustProxy` says so, bodies stream into core's token endpoint, and the attacker's requests: a
 * body over the limit (declared or chunked), a client that aborts mid-body, header injection, HEAD, a bad Host.
 */
import { mountTokenEndpoints, routePolicies } from "@portcullis/adapters/hono";
import { clientIpOf, nodeListener, withAuth, type NodeListener } from "@portcullis/adapters/node";
import { ConfigError, allowAny, anonRateThrottle, tokenAuth, userRateThrottle } from "@portcullis/core";
import { Hono } from "hono";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ALICE_PASSWORD, seed, token, type Seeded } from "./_fixtures.js";

let s: Seeded;
const servers: Server[] = [];
beforeEach(async () => {
  s = await seed();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Listens on a free 127.0.0.1 port; answers the base URL. */
async function listen(listener: NodeListener): Promise<{ url: string; port: number }> {
  const server = createServer((req, res) => void listener(req, res));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port };
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A raw HTTP request (a chosen local address, HEAD, a streamed body). */
function send(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string; localAddress?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method: options.method ?? "GET", path: options.path ?? "/", headers: options.headers, localAddress: options.localAddress }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Sends raw bytes on a TCP connection; answers everything the server wrote before closing (or after `waitMs`). */
function raw(port: number, text: string, waitMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
    setTimeout(() => socket.destroy(), waitMs);
  });
}

describe("withAuth (node)", () => {
  it("answers 401 with WWW-Authenticate: Token without a token, 200 with one", async () => {
    const { url } = await listen(withAuth({ schemes: [tokenAuth({ store: s.store })] }, (_req, { user }) => Response.json({ username: user.username })));
    const anonymous = await fetch(`${url}/me`);
    expect([anonymous.status, anonymous.headers.get("www-authenticate")]).toEqual([401, "Token"]);
    const me = await fetch(`${url}/me`, { headers: token(await s.tokenFor(s.alice)) });
    expect([me.status, await me.json()]).toEqual([200, { username: "alice" }]);
  });

  it("keys an anonymous throttle by the socket's address, whatever X-Forwarded-For says", async () => {
    const policy = { schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: s.store })] };
    const { port } = await listen(withAuth(policy, (_req, _decision, { clientIp }) => Response.json({ clientIp })));
    const first = await send(port, { localAddress: "127.0.0.1", headers: { "X-Forwarded-For": "203.0.113.1" } });
    expect([first.status, JSON.parse(first.body)]).toEqual([200, { clientIp: "127.0.0.1" }]);
    // a spoofed, changing X-Forwarded-For does not buy a new bucket
    expect((await send(port, { localAddress: "127.0.0.1", headers: { "X-Forwarded-For": "203.0.113.2" } })).status).toBe(429);
    // another socket address is another client
    expect((await send(port, { localAddress: "127.0.0.2" })).status).toBe(200);
  });

  it("reads X-Forwarded-For only with trustProxy, the n-th address from the right", async () => {
    const { port } = await listen(nodeListener((_req, { clientIp }) => Response.json({ clientIp }), { trustProxy: 1 }));
    const ip = async (xff?: string) => JSON.parse((await send(port, { headers: xff === undefined ? {} : { "X-Forwarded-For": xff } })).body) as unknown;
    expect(await ip("198.51.100.9, 203.0.113.5")).toEqual({ clientIp: "203.0.113.5" });
    expect(await ip()).toEqual({ clientIp: "127.0.0.1" });
    const two = await listen(nodeListener((_req, { clientIp }) => Response.json({ clientIp }), { trustProxy: 2 }));
    const forged = await send(two.port, { headers: { "X-Forwarded-For": "1.1.1.1, 198.51.100.9, 203.0.113.5" } });
    expect(JSON.parse(forged.body)).toEqual({ clientIp: "198.51.100.9" });
    expect(() => nodeListener(() => new Response(), { trustProxy: -1 })).toThrow(ConfigError);
    expect(() => nodeListener(() => new Response(), { maxBodyBytes: 1.5 })).toThrow(ConfigError);
  });

  it("never lets a forged X-Forwarded-For entry that is not an address escape the per-IP throttle (trustProxy)", async () => {
    // trustProxy 2 (say a CDN and a load balancer): a client that reaches the balancer directly writes the entry the
    // adapter picks. An entry that is not an address ("unknown", empty, a name) would have no identity, and the
    // throttle would then not count the request at all: the socket's address is used instead, as core's own
    // numProxies does.
    const policy = { schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: s.store })] };
    const { port } = await listen(withAuth(policy, (_req, _decision, { clientIp }) => Response.json({ clientIp }), { trustProxy: 2 }));
    const first = await send(port, { localAddress: "127.0.0.2", headers: { "X-Forwarded-For": "unknown, 198.51.100.9" } });
    expect([first.status, JSON.parse(first.body)]).toEqual([200, { clientIp: "127.0.0.2" }]);
    for (const xff of ["unknown, 198.51.100.9", ", 198.51.100.9", "example.com, 198.51.100.9", "1.2.3.4.5, 198.51.100.9"]) {
      expect((await send(port, { localAddress: "127.0.0.2", headers: { "X-Forwarded-For": xff } })).status, xff).toBe(429);
    }
    const { port: plainPort } = await listen(nodeListener((_req, { clientIp }) => Response.json({ clientIp }), { trustProxy: 1 }));
    const ip = async (xff: string) => JSON.parse((await send(plainPort, { headers: { "X-Forwarded-For": xff } })).body) as unknown;
    expect(await ip("203.0.113.5, not-an-ip")).toEqual({ clientIp: "127.0.0.1" });
    expect(await ip("203.0.113.5,  2001:db8::1 ")).toEqual({ clientIp: "2001:db8::1" });
  });

  it("adds the RateLimit fields of headers: true throttles to the handler's answer, as the other adapters do", async () => {
    const throttle = anonRateThrottle("2/min", { store: s.store, headers: true });
    const policy = { schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [throttle] };
    // an immutable-headers answer (a redirect) gets them too
    const { port } = await listen(withAuth(policy, (req) => (new URL(req.url).pathname === "/go" ? Response.redirect("http://127.0.0.1/x", 302) : Response.json({}))));
    const first = await send(port, {});
    expect([first.status, first.headers["ratelimit-policy"], first.headers["ratelimit"]]).toEqual([200, '"anon";q=2;w=60', '"anon";r=1;t=60']);
    const redirect = await send(port, { path: "/go" });
    expect([redirect.status, redirect.headers.location, redirect.headers["ratelimit"]]).toEqual([302, "http://127.0.0.1/x", '"anon";r=0;t=60']);
    const refused = await send(port, {});
    expect([refused.status, refused.headers["ratelimit"]]).toEqual([429, '"anon";r=0;t=60']);
    // a 401 comes before any throttle: no RateLimit fields, and nothing counted
    const users = userRateThrottle("2/min", { store: s.store, headers: true });
    const strict = await listen(withAuth({ schemes: [tokenAuth({ store: s.store })], throttles: [users] }, () => Response.json({})));
    for (const headers of [{}, { Authorization: "Token nope" }] as Record<string, string>[]) {
      const denied = await send(strict.port, { headers });
      expect([denied.status, denied.headers["ratelimit"], denied.headers["ratelimit-policy"]]).toEqual([401, undefined, undefined]);
    }
    const alice = await send(strict.port, { headers: token(await s.tokenFor(s.alice)) });
    expect([alice.status, alice.headers["ratelimit"]]).toEqual([200, '"user";r=1;t=60']);
  });

  it("streams bodies into core: Hono's token endpoint through nodeListener, the throttle keyed by the socket", async () => {
    const app = new Hono();
    mountTokenEndpoints(app, { store: s.store });
    const policy = routePolicies({ schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store: s.store })] });
    app.get("/ping", policy(), (c) => c.text("pong"));
    const { url, port } = await listen(nodeListener((request, ctx) => app.fetch(request, ctx)));
    const login = await fetch(`${url}/api-token-auth/`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "alice", password: ALICE_PASSWORD }),
    });
    expect(login.status).toBe(200);
    expect((await login.json()) as object).toHaveProperty("token");
    const form = await fetch(`${url}/api-token-auth/`, { method: "POST", body: new URLSearchParams({ username: "alice", password: "wrong" }) });
    expect(form.status).toBe(400);
    expect((await send(port, { path: "/ping", localAddress: "127.0.0.3", headers: { "X-Forwarded-For": "192.0.2.1" } })).status).toBe(200);
    expect((await send(port, { path: "/ping", localAddress: "127.0.0.3", headers: { "X-Forwarded-For": "192.0.2.2" } })).status).toBe(429);
  });
});

describe("the node adapter under attack", () => {
  const echo = (maxBodyBytes: number) =>
    nodeListener(async (request) => Response.json({ length: (await request.arrayBuffer()).byteLength }), { maxBodyBytes });

  it("answers 413 to a body over the limit, declared or chunked, and closes the connection", async () => {
    const { port } = await listen(echo(1000));
    expect(JSON.parse((await send(port, { method: "POST", body: "x".repeat(1000) })).body)).toEqual({ length: 1000 });
    const declared = await send(port, { method: "POST", body: "x".repeat(1001) });
    expect([declared.status, JSON.parse(declared.body)]).toEqual([413, { detail: "Request body exceeds 1000 bytes." }]);
    expect(declared.headers.connection).toBe("close");
    // chunked: no Content-Length, 1 MB sent, the server stops at the limit and answers
    const chunk = `400\r\n${"y".repeat(1024)}\r\n`;
    const chunked = await raw(port, `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(1000)}`);
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(chunked).toMatch(/Request body exceeds 1000 bytes/);
  });

  it("answers 413 even when the handler swallowed the stream's error", async () => {
    const swallow = nodeListener(async (request) => {
      await request.text().catch(() => "");
      return new Response("ok");
    }, { maxBodyBytes: 10 });
    const { port } = await listen(swallow);
    const answer = await raw(port, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + "z".repeat(32) + "\r\n0\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("survives a client that aborts mid-body, and keeps serving", async () => {
    let failures = 0;
    const { port, url } = await listen(
      nodeListener(async (request) => Response.json({ length: (await request.arrayBuffer()).byteLength }), { onError: () => failures++ }),
    );
    const partial = await raw(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + "a".repeat(5000), 200);
    expect(partial).toBe("");
    expect((await fetch(url, { method: "POST", body: "abc" })).status).toBe(200);
    expect(failures).toBe(0);
  });

  it("cannot be made to inject a header: a CR/LF value is a 500 with no injected header", async () => {
    const errors: unknown[] = [];
    const { port } = await listen(
      nodeListener(() => new Response("x", { headers: { "X-Echo": "a\r\nSet-Cookie: sessionid=evil" } }), { onError: (error) => errors.push(error) }),
    );
    const answer = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 500 /);
    expect(answer).not.toMatch(/sessionid=evil/);
    expect(errors).toHaveLength(1);
  });

  it("answers HEAD with the headers and no body; keeps every Set-Cookie apart", async () => {
    const { port } = await listen(withAuth({ schemes: [tokenAuth({ store: s.store })] }, () => new Response("secret body")));
    const head = await send(port, { method: "HEAD" });
    expect([head.status, head.headers["www-authenticate"], head.body]).toEqual([401, "Token", ""]);
    const cookies = await listen(nodeListener(() => {
      const headers = new Headers();
      headers.append("Set-Cookie", "a=1; Path=/");
      headers.append("Set-Cookie", "b=2; Path=/");
      return new Response("ok", { headers });
    }));
    expect((await send(cookies.port, {})).headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });

  it("keeps an absolute-form or //-target on this host, and refuses a Host that is not a host", async () => {
    const { port } = await listen(nodeListener((request) => Response.json({ url: request.url })));
    const absolute = await raw(port, "GET http://evil.example/p?q=1 HTTP/1.1\r\nHost: good.example\r\nConnection: close\r\n\r\n");
    expect(absolute).toMatch(/"url":"http:\/\/good\.example\/p\?q=1"/);
    const slashes = await raw(port, "GET //evil.example/p HTTP/1.1\r\nHost: good.example\r\nConnection: close\r\n\r\n");
    expect(slashes).toMatch(/"url":"http:\/\/good\.example\/evil\.example\/p"/);
    const badHost = await raw(port, "GET / HTTP/1.1\r\nHost: good.example/x\r\nConnection: close\r\n\r\n");
    expect(badHost).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("never sees a smuggled request: Transfer-Encoding with Content-Length, or two Content-Lengths, are Node's 400", async () => {
    const seen: string[] = [];
    const { port } = await listen(nodeListener(async (request) => (seen.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`), Response.json({}))));
    const smuggled = "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n";
    const both = await raw(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${5 + smuggled.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`);
    expect(both).toMatch(/^HTTP\/1\.1 400 /);
    const twoLengths = await raw(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`);
    expect(twoLengths).toMatch(/^HTTP\/1\.1 400 /);
    const obfuscated = await raw(port, `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`);
    expect(obfuscated).not.toMatch(/HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 200/);
    expect(seen.filter((line) => line.includes("/admin"))).toEqual([]);
  });

  it("answers 400 to two Host headers (RFC 9112), which Node accepts: the URL and the Host header would disagree", async () => {
    const { port } = await listen(nodeListener((request) => Response.json({ url: request.url, host: request.headers.get("host") })));
    const answer = await raw(port, "GET /p HTTP/1.1\r\nHost: good.example\r\nhost: evil.example\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toContain("evil.example");
    expect(await raw(port, "GET /p HTTP/1.1\r\nHost: good.example\r\nConnection: close\r\n\r\n")).toMatch(/"host":"good\.example"/);
  });

  it("a body that fails after the headers went out: the connection is cut (never a clean end), reported once, still serving", async () => {
    const errors: unknown[] = [];
    const { url } = await listen(nodeListener((request) => {
      if (new URL(request.url).pathname === "/ok") return new Response("fine");
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("partial"));
          setTimeout(() => controller.error(new Error("detail the client must not see")), 20);
        },
      });
      return new Response(body, { headers: { "content-type": "application/octet-stream" } });
    }, { onError: (error) => errors.push(error) }));
    const answer = await fetch(`${url}/boom`);
    expect(answer.status).toBe(200);
    await expect(answer.text()).rejects.toThrow();
    expect(errors.map(String)).toEqual(["Error: detail the client must not see"]);
    expect(await (await fetch(`${url}/ok`)).text()).toBe("fine");
  });

  it("hands a handler's error to Express's next (nothing written), else to onError with a bare 500", async () => {
    const boom = new Error("boom: a detail the client must not see");
    const failing = nodeListener(() => {
      throw boom;
    });
    const seen: unknown[] = [];
    const { port } = await listen(async (req, res) => {
      await failing(req, res, (error) => {
        seen.push(error);
        res.statusCode = 502;
        res.end("from next");
      });
    });
    expect(await send(port, {})).toMatchObject({ status: 502, body: "from next" });
    expect(seen).toEqual([boom]);
    const reported: unknown[] = [];
    const plain = await listen(nodeListener(() => Promise.reject(boom), { onError: (error) => reported.push(error) }));
    const answer = await send(plain.port, {});
    expect([answer.status, answer.body]).toEqual([500, JSON.stringify({ detail: "A server error occurred." })]);
    expect(reported).toEqual([boom]);
  });

  it("sends JSON whole with its Content-Length, and streams an event stream chunk by chunk", async () => {
    const json = await listen(nodeListener(() => Response.json({ a: "é" })));
    const whole = await send(json.port, {});
    expect([whole.headers["content-length"], whole.headers["transfer-encoding"], whole.body]).toEqual(["10", undefined, '{"a":"é"}']);
    let release = () => {};
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode("data: one\n\n"));
        await new Promise<void>((resolve) => (release = resolve));
        controller.enqueue(new TextEncoder().encode("data: two\n\n"));
        controller.close();
      },
    });
    const events = await listen(nodeListener(() => new Response(stream, { headers: { "Content-Type": "text/event-stream" } })));
    const first = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: "127.0.0.1", port: events.port }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString();
          if (body === "data: one\n\n") release(); // the first event arrived before the second exists
        });
        res.on("end", () => resolve(body));
      })
        .on("error", reject)
        .end();
    });
    expect(first).toBe("data: one\n\ndata: two\n\n");
  });

  it("reads the address from any IncomingMessage (clientIpOf)", async () => {
    const { port } = await listen(async (req, res) => {
      res.end(JSON.stringify([clientIpOf(req), clientIpOf(req, 1)]));
    });
    expect(JSON.parse((await send(port, { headers: { "X-Forwarded-For": "203.0.113.7" } })).body)).toEqual(["127.0.0.1", "203.0.113.7"]);
  });
});
