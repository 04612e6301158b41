// The outside project's server (copied there by packaging.test.ts): the packed packages as an npm user installs
// them, Hono on Node through @hono/node-server, an Express app embedding the same guard through the fetch adapter,
// Express and Fastify embedding @portcullis/adapters/node's listeners (routes.ts; Koa is in koa.ts), and the
// Next.js route-handler form. It prints its ports as one JSON line.
import { getRequestListener, serve, type Http2Bindings, type HttpBindings } from "@hono/node-server";
import { mountTokenEndpoints, requirePolicies, routePolicies } from "@portcullis/adapters/hono";
import { withAuth } from "@portcullis/adapters/fetch";
import type { NodeListener } from "@portcullis/adapters/node";
import { basicAuth, hashPassword, isAuthenticated, tokenAuth } from "@portcullis/core";
import { jwtSettings } from "@portcullis/core/jwt";
import { memoryStore } from "@portcullis/store-memory";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { nodeRoutes } from "./routes.js";

const store = memoryStore();
await store.createUser({ username: "alice", passwordHash: await hashPassword("correct horse battery staple") });
jwtSettings({ signingKey: "a-signing-key-of-at-least-32-bytes-for-hs256!" });

// Hono on Node.
const policy = routePolicies({ schemes: [tokenAuth({ store }), basicAuth({ users: store })] });
const app = new Hono<{ Bindings: HttpBindings }>();
requirePolicies(app, "/api");
mountTokenEndpoints(app, { store });
app.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username }));

// The Next.js App Router form: `export const GET = withAuth(...)` in app/api/me/route.ts.
export const GET = withAuth({ schemes: [tokenAuth({ store })], permissions: [isAuthenticated] }, (_req, { user }) =>
  Response.json({ username: user.username }),
);
// what Next.js calls (its types not installed: `next` is too large for this test): a Request in, a Response out
export const nextRouteHandler: (request: Request) => Promise<Response> = GET;

// Express (or Fastify, Koa: any Node framework that hands over IncomingMessage/ServerResponse): the fetch-style
// handler behind @hono/node-server's request listener, the client IP from the socket.
const me = withAuth(
  { schemes: [tokenAuth({ store })] },
  (_req, { user }) => Response.json({ username: user.username }),
  { clientIp: (_req, env: HttpBindings | Http2Bindings) => env.incoming.socket.remoteAddress },
);
const expressApp = express();
expressApp.get("/healthz", (_req, res) => {
  res.send("ok");
});
expressApp.use("/api", getRequestListener(me));
const expressRoutes = nodeRoutes(store);
for (const path of ["/node/me", "/node/ip"]) expressApp.get(path, expressRoutes(path) as NodeListener);
expressApp.post("/api-token-auth/", expressRoutes("/api-token-auth/") as NodeListener);

// Fastify: the raw request and response, the body left unparsed for Portcullis.
const fastify = Fastify();
fastify.removeAllContentTypeParsers();
fastify.addContentTypeParser("*", (_request, _payload, done) => done(null));
const fastifyRoutes = nodeRoutes(store);
for (const path of ["/node/me", "/node/ip", "/api-token-auth/"]) {
  fastify.route({
    method: path.startsWith("/node/") ? "GET" : "POST",
    url: path,
    handler: (request, reply) => {
      reply.hijack();
      return (fastifyRoutes(path) as NodeListener)(request.raw, reply.raw);
    },
  });
}

const hono = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
await new Promise((resolve) => hono.once("listening", resolve));
const server = expressApp.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
await fastify.listen({ host: "127.0.0.1", port: 0 });
const ports = {
  hono: (hono.address() as AddressInfo).port,
  express: (server.address() as AddressInfo).port,
  fastify: (fastify.server.address() as AddressInfo).port,
};
process.stdout.write(`${JSON.stringify(ports)}\n`);
