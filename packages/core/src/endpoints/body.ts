/**
 * Reading and parsing request bodies for the token endpoints, DRF's parsers: JSON, form-urlencoded, multipart.
 * Bodies are read in chunks and refused past the limit, never read whole first.
 * @module
 */

/** The default body limit of the endpoints: 64 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A parsed body, or the error response's status and payload. */
export type ParsedBody =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly body: Record<string, unknown> };

const SUPPORTED = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"];

/** Reads at most `limit` bytes of a body; answers `null` when it is longer. */
export async function readLimited(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return null;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(new ArrayBuffer(total));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Parses a request body the way DRF's default parsers do. An empty body (whatever its content type, as DRF
 * answers it before choosing a parser) and a missing content type read as empty data.
 * Error messages never echo the body.
 */
export async function parseBody(request: Request, limit = MAX_BODY_BYTES): Promise<ParsedBody> {
  const bytes = await readLimited(request, limit);
  if (bytes === null) return { ok: false, status: 413, body: { detail: `Request body exceeds ${limit} bytes.` } };
  const contentType = request.headers.get("content-type");
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (bytes.byteLength === 0 || mediaType === "") return { ok: true, data: {} };
  if (!SUPPORTED.includes(mediaType)) {
    return { ok: false, status: 415, body: { detail: `Unsupported media type "${contentType}" in request.` } };
  }
  if (mediaType === "application/json") return parseJson(bytes);
  return parseForm(bytes, contentType as string, mediaType);
}

function parseJson(bytes: Uint8Array): ParsedBody {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    return { ok: true, data: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, body: { detail: "JSON parse error - the body is not valid UTF-8 JSON." } };
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
