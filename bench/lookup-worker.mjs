/**
 * The Worker of section 4's D1 half (bundled by `lookup-scaling.mjs`, run in workerd by Miniflare):
 * `POST /check?db=<binding>&n=<count>` with a JSON array of keys runs `n` token checks (`authenticate()` with
 * `tokenAuth` on `d1Store`), cycling through the keys, and answers `{ ms, authenticated }` for the loop alone.
 * @module
 */
import { authenticate, tokenAuth } from "@portcullis/core";
import { d1Store } from "@portcullis/store-d1";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const db = env[url.searchParams.get("db")];
    const n = Number(url.searchParams.get("n"));
    const keys = await request.json();
    const schemes = [tokenAuth({ store: d1Store(db) })];
    const requests = keys.map((key) => new Request("http://bench/", { headers: { Authorization: `Token ${key}` } }));
    // One query first: workerd's clock moves on I/O, so the start time is taken after the set-up work.
    await db.prepare("SELECT 1").first();
    const start = performance.now();
    if (url.searchParams.has("baseline")) {
      for (let i = 0; i < n; i++) await db.prepare("SELECT 1").first();
      return Response.json({ ms: performance.now() - start, authenticated: n });
    }
    let authenticated = 0;
    for (let i = 0; i < n; i++) {
      const result = await authenticate(requests[i % requests.length], schemes);
      if (result.status === "authenticated") authenticated += 1;
    }
    return Response.json({ ms: performance.now() - start, authenticated });
  },
};
