/**
 * Reading and parsing request bodies for the token endpoints, DRF's parsers: JSON, form-urlencoded, multipart.
 * Bodies are read in chunks and refused past the limit, never read whole first.
 * @module
 */
import { readStreamLimited } from "../internal/read-limited.js";

/** The default body limit of the endpoints: 64 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A parsed body, or the error response's status and payload. */
export type ParsedBody =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly body: Record<string, unknown> };

const SUPPORTED = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

/** Reads at most `limit` bytes of a body; answers `null` when it is longer. */
export async function readLimited(request: Pick<Request, "headers" | "body">, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return null;
  if (request.body === null) return new Uint8Array(0);
  return readStreamLimited(request.body, limit);
}

/**
 * Parses a request body the way DRF's default parsers do. An empty body reads as empty data whatever its content
 * type (DRF answers it before choosing a parser); a body without a content type is 415
 * `Unsupported media type "" in request.`, as in DRF. JSON is decoded with the `charset` the content type names.
 * Error messages never echo the body.
 */
export async function parseBody(request: Request, limit = MAX_BODY_BYTES): Promise<ParsedBody> {
  const bytes = await readLimited(request, limit);
  if (bytes === null) return { ok: false, status: 413, body: { detail: `Request body exceeds ${limit} bytes.` } };
  const contentType = request.headers.get("content-type");
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (bytes.byteLength === 0) return { ok: true, data: {} };
  if (!SUPPORTED.includes(mediaType)) {
    return { ok: false, status: 415, body: { detail: `Unsupported media type "${contentType ?? ""}" in request.` } };
  }
  if (mediaType === "application/json") return parseJson(bytes, charsetOf(contentType as string));
  return parseForm(bytes, contentType as string, mediaType);
}

function parseJson(bytes: Uint8Array, charset: string | undefined): ParsedBody {
  const text = decodeText(bytes, charset);
  if (text === null) return jsonError("the body is not valid text in its charset.");
  // Python's json module refuses a BOM, and says where a document that is only whitespace ends.
  if (text.startsWith("\ufeff")) return jsonError("Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)");
  if (/^[ \t\n\r]*$/.test(text)) return jsonError(`Expecting value: ${position(text, text.length)}`);
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch {
    return jsonError("the body is not valid JSON.");
  }
}

function jsonError(message: string): ParsedBody {
  return { ok: false, status: 400, body: { detail: `JSON parse error - ${message}` } };
}

/** Python's `line L column C (char N)` for an offset. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return `line ${line} column ${column} (char ${offset})`;
}

/** The `charset` parameter of a content type, lowercased, without quotes. */
function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(";").slice(1)) {
    const [name, ...value] = parameter.split("=");
    if (name?.trim().toLowerCase() === "charset") return value.join("=").trim().replace(/^"(.*)"$/, "$1").toLowerCase();
  }
  return undefined;
}

const LATIN_1 = new Set(["latin-1", "latin1", "latin_1", "iso-8859-1", "iso8859-1", "iso_8859_1", "iso8859_1", "l1", "cp819", "8859", "latin"]);
const ASCII = new Set(["ascii", "us-ascii", "us_ascii", "646"]);

/**
 * The body as text in its charset, as Django's `request.encoding` and DRF's `JSONParser` read it: UTF-8 by default
 * and for a charset nobody knows; Latin-1 and ASCII exactly as Python decodes them; any other charset with the
 * WHATWG decoder of that label. `null` when the bytes are not valid in the charset.
 */
function decodeText(bytes: Uint8Array, charset: string | undefined): string | null {
  const byteChars = () => Array.from(bytes, (b) => String.fromCharCode(b)).join("");
  if (charset !== undefined && LATIN_1.has(charset)) return byteChars();
  if (charset !== undefined && ASCII.has(charset)) return bytes.every((b) => b < 0x80) ? byteChars() : null;
  let decoder: TextDecoder;
  try {
    // Python's "utf-16" codec consumes its BOM; every other codec keeps it (and json then refuses it).
    decoder = new TextDecoder(charset ?? "utf-8", { fatal: true, ignoreBOM: charset !== "utf-16" });
  } catch {
    decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // an unknown charset: Django keeps UTF-8
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

async function parseForm(bytes: Uint8Array<ArrayBuffer>, contentType: string, mediaType: string): Promise<ParsedBody> {
  try {
    const form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
    const data: Record<string, unknown> = {};
    // The last value of a repeated field wins, as Django's QueryDict.get does.
    for (const [name, value] of form.entries()) data[name] = value;
    return { ok: true, data };
  } catch {
    const what = mediaType === "multipart/form-data" ? "Multipart form parse error" : "Form parse error";
    return { ok: false, status: 400, body: { detail: `${what} - the body could not be parsed.` } };
  }
}
