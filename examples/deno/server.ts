/**
 * `deno run --allow-net=127.0.0.1 --allow-env=PORT --allow-read server.ts`
 * A demo user `demo` with the password `demo-password` (change both before exposing this anywhere).
 */
import { createApp } from "./app.ts";

const port = Number(Deno.env.get("PORT") ?? "8000");
const { handler } = await createApp("demo", "demo-password");
Deno.serve({ hostname: "127.0.0.1", port }, handler);
