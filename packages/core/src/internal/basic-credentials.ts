/**
 * Parsing of `Authorization: Basic <base64>` into a username and password, DRF-style but with strict base64.
 * @module
 */
import { decodeBase64Strict } from "./base64.js";
import { authorizationFor, decodeLatin1, decodeUtf8 } from "./header.js";

/** Why a Basic header is malformed: a key of `basicMessages` (`schemes/basic.ts`), which holds DRF's words. */
export type BasicHeaderProblem = "noCredentials" | "spaces" | "badEncoding";

/** Not a Basic header, what is wrong with it, or the credentials. */
export type BasicParse =
  | { readonly type: "skip" }
  | { readonly type: "invalid"; readonly problem: BasicHeaderProblem }
  | { readonly type: "credentials"; readonly username: string; readonly password: string };

const SKIP: BasicParse = Object.freeze({ type: "skip" });

/**
 * Parses the request's Basic credentials. UTF-8 first, latin-1 when the bytes are not UTF-8. Credentials without
 * `:` are `withoutColon`: DRF 3.14 reads them as a username with an empty password (`"empty-password"`), 3.15+
 * answers the base64 message (`"malformed"`, the default).
 */
export function parseBasic(request: Request, withoutColon: "empty-password" | "malformed" = "malformed"): BasicParse {
  const parts = authorizationFor(request, "basic");
  if (parts === null) return SKIP;
  if (parts.length === 1) return { type: "invalid", problem: "noCredentials" };
  if (parts.length > 2) return { type: "invalid", problem: "spaces" };
  const bytes = decodeBase64Strict(parts[1] as string);
  if (bytes === null) return { type: "invalid", problem: "badEncoding" };
  const text = decodeUtf8(bytes) ?? decodeLatin1(bytes);
  const colon = text.indexOf(":");
  if (colon < 0) {
    return withoutColon === "malformed" ? { type: "invalid", problem: "badEncoding" } : { type: "credentials", username: text, password: "" };
  }
  return { type: "credentials", username: text.slice(0, colon), password: text.slice(colon + 1) };
}
