import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../passwords/index.js";
import { MAX_BODY_BYTES } from "./body.js";
import { obtainTokenHandler } from "./obtain-token.js";

// The HTTP surface of obtainTokenHandler: methods, media types, body sizes and DRF's field errors.

const URL = "https://api.test/api-token-auth/";
const PASSWORD = "correct horse battery staple";
const KEY = /^[0-9a-f]{40}$/;
const REQUIRED = "This field is required.";
const BLANK = "This field may not be blank.";
const INVALID = "Not a valid string.";
const NULL = "This field may not be null.";
const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };
const TOO_LARGE = { detail: "Request body exceeds 65536 bytes." };

async function setup() {
  const store = memoryStore();
  const passwordHash = await hashPassword(PASSWORD, { iterations: 1000 });
  const alice = await store.createUser({ username: "alice", passwordHash });
  await store.createUser({ username: "42", passwordHash: await hashPassword("1234", { iterations: 1000 }) });
  return { store, alice, obtain: obtainTokenHandler({ store }) };
}

/** Status and parsed JSON body (null when empty). */
async function answer(response: Response) {
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
}

function post(body: BodyInit | null, contentType?: string, headers: Record<string, string> = {}): Request {
  const all = contentType === undefined ? headers : { "content-type": contentType, ...headers };
  return new Request(URL, { method: "POST", body, headers: all });
}

const json = (data: unknown) => post(JSON.stringify(data), "application/json");

/** A request whose body stream counts what was pulled from it and whether it was cancelled. */
function streamed(totalBytes: number, chunkBytes: number, headers: Record<string, string> = {}) {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled >= totalBytes) return controller.close();
        const size = Math.min(chunkBytes, totalBytes - state.pulled);
        state.pulled += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const init = { method: "POST", body, duplex: "half", headers: { "content-type": "application/json", ...headers } };
  return { request: new Request(URL, init as RequestInit), state };
}

describe("obtainTokenHandler: methods and media types", () => {
  it.each(["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])("answers %s with 405 and DRF's Allow: POST, OPTIONS", async (method) => {
    const { store, alice, obtain } = await setup();
    const body = method === "GET" || method === "HEAD" ? null : JSON.stringify({ username: "alice", password: PASSWORD });
    const response = await obtain(new Request(URL, { method, body, headers: { "content-type": "application/json" } }));
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    expect(await answer(response)).toEqual({ status: 405, body: { detail: `Method "${method}" not allowed.` } });
    expect(await store.listTokens(alice.id)).toEqual([]);
  });

  it("issues a token for JSON, form-urlencoded and multipart bodies", async () => {
    const { obtain } = await setup();
    const form = new FormData();
    form.append("username", "alice");
    form.append("password", PASSWORD);
    const requests = [
      json({ username: "alice", password: PASSWORD }),
      post(new URLSearchParams({ username: "alice", password: PASSWORD })),
      post(form),
    ];
    for (const request of requests) {
      const response = await obtain(request);
      expect(response.headers.get("content-type")).toBe("application/json");
      const { status, body } = await answer(response);
      expect({ status, body }).toEqual({ status: 200, body: { token: expect.stringMatching(KEY), expiry: null } });
    }
  });

  it("keeps the last value of repeated form fields (QueryDict.get)", async () => {
    const { obtain } = await setup();
    const body = `username=mallory&username=alice&password=wrong&password=${encodeURIComponent(PASSWORD)}`;
    const { status } = await answer(await obtain(post(body, "application/x-www-form-urlencoded")));
    expect(status).toBe(200);
  });

  it.each(["text/plain", "application/xml", "text/plain; charset=utf-8", "text/html;charset=UTF-8"])(
    "answers 415 to %s, echoing the whole header",
    async (contentType) => {
      const { obtain } = await setup();
      const response = await obtain(post(JSON.stringify({ username: "alice", password: PASSWORD }), contentType));
      expect(await answer(response)).toEqual({ status: 415, body: { detail: `Unsupported media type "${contentType}" in request.` } });
    },
  );

  it("answers a body without a content type with DRF's 415, and an empty one with both fields required", async () => {
    const { obtain } = await setup();
    const both = { username: [REQUIRED], password: [REQUIRED] };
    expect(await answer(await obtain(new Request(URL, { method: "POST" })))).toEqual({ status: 400, body: both });
    const untyped = post(new TextEncoder().encode(JSON.stringify({ username: "alice", password: PASSWORD })));
    expect(untyped.headers.get("content-type")).toBeNull();
    expect(await answer(await obtain(untyped))).toEqual({ status: 415, body: { detail: 'Unsupported media type "" in request.' } });
    expect(await answer(await obtain(post("", "application/json")))).toEqual({ status: 400, body: both });
  });

  it("answers malformed JSON with DRF's prefix, never echoing the body", async () => {
    const { obtain } = await setup();
    for (const body of [`{"username":"alice","password":"${PASSWORD}"`, `{"password": '${PASSWORD}'}`, `password=${PASSWORD}`]) {
      const response = await obtain(post(body, "application/json"));
      const text = await response.clone().text();
      expect(text).not.toContain(PASSWORD);
      const { status, body: detail } = await answer(response);
      expect(status).toBe(400);
      expect(detail).toEqual({ detail: expect.stringMatching(/^JSON parse error - /) });
    }
  });

  it("answers an unparsable multipart body with DRF's prefix", async () => {
    const { obtain } = await setup();
    const response = await obtain(post(`password=${PASSWORD}`, "multipart/form-data"));
    expect(await answer(response)).toEqual({
      status: 400,
      body: { detail: "Multipart form parse error - the body could not be parsed." },
    });
  });
});

describe("obtainTokenHandler: body size", () => {
  it("answers 413 to a declared Content-Length over 64 KiB without pulling the body", async () => {
    const { obtain } = await setup();
    const { request, state } = streamed(Infinity, 16 * 1024, { "content-length": String(10 * 1024 * 1024) });
    expect(await answer(await obtain(request))).toEqual({ status: 413, body: TOO_LARGE });
    expect(state.pulled).toBeLessThanOrEqual(16 * 1024);
  });

  it("answers 413 to an endless stream, cancelling it after little more than 64 KiB", async () => {
    const { obtain } = await setup();
    const { request, state } = streamed(Infinity, 16 * 1024);
    expect(await answer(await obtain(request))).toEqual({ status: 413, body: TOO_LARGE });
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(MAX_BODY_BYTES + 2 * 16 * 1024);
  });

  it("answers 413 to a 10 MB stream that declares a small length, cancelling it", async () => {
    const { obtain } = await setup();
    const { request, state } = streamed(10 * 1024 * 1024, 8 * 1024, { "content-length": "100" });
    expect(await answer(await obtain(request))).toEqual({ status: 413, body: TOO_LARGE });
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(128 * 1024);
  });

  it("answers 413 to a 10 MB body, with or without its Content-Length", async () => {
    const { obtain } = await setup();
    const big = new Uint8Array(10 * 1024 * 1024).fill(0x20);
    expect(await answer(await obtain(post(big, "application/json")))).toEqual({ status: 413, body: TOO_LARGE });
    const declared = post(big, "application/json", { "content-length": String(big.byteLength) });
    expect(await answer(await obtain(declared))).toEqual({ status: 413, body: TOO_LARGE });
  });

  it("accepts a body of exactly 64 KiB and refuses one byte more", async () => {
    const { obtain } = await setup();
    const exact = `{"username": ""}${" ".repeat(MAX_BODY_BYTES - 16)}`;
    expect(new TextEncoder().encode(exact).byteLength).toBe(MAX_BODY_BYTES);
    expect(await answer(await obtain(post(exact, "application/json")))).toEqual({
      status: 400,
      body: { username: [BLANK], password: [REQUIRED] },
    });
    expect(await answer(await obtain(post(`${exact} `, "application/json")))).toEqual({ status: 413, body: TOO_LARGE });
  });
});

describe("obtainTokenHandler: DRF's field errors", () => {
  it.each([
    ["both fields missing", {}, { username: [REQUIRED], password: [REQUIRED] }],
    ["the password missing", { username: "alice" }, { password: [REQUIRED] }],
    ["the username missing", { password: PASSWORD }, { username: [REQUIRED] }],
    ["an empty username", { username: "", password: PASSWORD }, { username: [BLANK] }],
    ["a username of spaces", { username: "   ", password: PASSWORD }, { username: [BLANK] }],
    ["a username of tabs and newlines", { username: "\t\r\n", password: PASSWORD }, { username: [BLANK] }],
    ["an empty password", { username: "alice", password: "" }, { password: [BLANK] }],
    ["null fields", { username: null, password: null }, { username: [NULL], password: [NULL] }],
    ["boolean fields", { username: true, password: false }, { username: [INVALID], password: [INVALID] }],
    ["object fields", { username: {}, password: { nested: { password: PASSWORD } } }, { username: [INVALID], password: [INVALID] }],
    ["array fields", { username: [], password: [PASSWORD] }, { username: [INVALID], password: [INVALID] }],
    ["a null username and an array password", { username: null, password: [] }, { username: [NULL], password: [INVALID] }],
    ["NUL characters", { username: "al\0ice", password: `${PASSWORD}\0` }, { username: ["Null characters are not allowed."], password: ["Null characters are not allowed."] }],
    ["a 151-character username", { username: "a".repeat(151), password: PASSWORD }, { username: ["Ensure this field has no more than 150 characters."] }],
    ["a lone surrogate", { username: "alice\uD800", password: PASSWORD }, { username: ["Surrogate characters are not allowed: U+D800."] }],
  ])("answers 400 to %s", async (_name, data, errors) => {
    const { obtain } = await setup();
    expect(await answer(await obtain(json(data)))).toEqual({ status: 400, body: errors });
  });

  it.each([
    [[], "list"],
    [[{ username: "alice", password: PASSWORD }], "list"],
    ["alice", "str"],
    [42, "int"],
    [4.2, "float"],
    [true, "bool"],
  ])("answers a top-level %j with non_field_errors", async (data, type) => {
    const { obtain } = await setup();
    expect(await answer(await obtain(json(data)))).toEqual({
      status: 400,
      body: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${type}.`] },
    });
  });

  it("answers a top-level null as DRF does: No data provided", async () => {
    const { obtain } = await setup();
    expect(await answer(await obtain(json(null)))).toEqual({ status: 400, body: { non_field_errors: ["No data provided"] } });
  });

  it("applies the same rules to form fields, and answers a file upload as Not a valid string.", async () => {
    const { obtain } = await setup();
    const blank = post("username=%20%20&password=", "application/x-www-form-urlencoded");
    expect(await answer(await obtain(blank))).toEqual({ status: 400, body: { username: [BLANK], password: [BLANK] } });
    const nul = post("username=a%00&password=x", "application/x-www-form-urlencoded");
    expect(await answer(await obtain(nul))).toEqual({ status: 400, body: { username: ["Null characters are not allowed."] } });
    const form = new FormData();
    form.append("username", new Blob(["alice"]), "username.txt");
    form.append("password", PASSWORD);
    expect(await answer(await obtain(post(form)))).toEqual({ status: 400, body: { username: [INVALID] } });
  });

  it("trims the username (' alice ' logs in as alice) but not the password ('   ' is checked, not blank)", async () => {
    const { obtain } = await setup();
    const trimmed = await answer(await obtain(json({ username: " alice\n", password: PASSWORD })));
    expect(trimmed).toEqual({ status: 200, body: { token: expect.stringMatching(KEY), expiry: null } });
    expect(await answer(await obtain(json({ username: "alice", password: "   " })))).toEqual({ status: 400, body: BAD_CREDENTIALS });
    expect(await answer(await obtain(json({ username: "alice", password: ` ${PASSWORD} ` })))).toEqual({
      status: 400,
      body: BAD_CREDENTIALS,
    });
  });

  it("accepts numbers as their text (DRF): user 42 logs in with password 1234", async () => {
    const { obtain } = await setup();
    expect(await answer(await obtain(json({ username: 42, password: 1234 })))).toEqual({
      status: 200,
      body: { token: expect.stringMatching(KEY), expiry: null },
    });
  });
});
