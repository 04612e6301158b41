// Koa embedding @portcullis/adapters/node (copied into the outside project by packaging.test.ts): ctx.req and
// ctx.res, with Koa's own response switched off. Its own process and store; it prints its port as one JSON line.
// Typechecked with skipLibCheck (tsconfig.koa.json): @types/koa 3.0.3 does not compile beside Express 5, whose
// content-disposition 2 (hoisted) ships its own types without the `Options` @types/koa reads; not Portcullis's.
import { hashPassword } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import Koa from "koa";
import type { AddressInfo } from "node:net";
import { nodeRoutes } from "./routes.js";

const store = memoryStore();
await store.createUser({ username: "alice", passwordHash: await hashPassword("correct horse battery staple") });
const routes = nodeRoutes(store);
const koa = new Koa();
koa.use(async (ctx, next) => {
  const listener = routes(ctx.path);
  if (listener === undefined) return next();
  ctx.respond = false;
  await listener(ctx.req, ctx.res);
});
const server = koa.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
process.stdout.write(`${JSON.stringify({ koa: (server.address() as AddressInfo).port })}\n`);
