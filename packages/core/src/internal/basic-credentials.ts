/**
 * Parsing of `Authorization: Basic <base64>` into a username and password, DRF-style but with strict base64.
 * @module
 */
import { decodeBase64Strict } from "./base64.js";
import { authorizationFor, decodeLatin1, decodeUtf8 } from "./header.js";

export const basicMessages = {
  noCredentials: "Invalid basic header. No credentials provided.",
  spaces: "Invalid basic header. Credentials string should not contain spaces.",
  badEncoding: "Invalid basic header. Credentials not correctly base64 encoded.",
  invalidCredentials: "Invalid username/password.",
  inactive: "User inactive or deleted.",
} as const;

/** Not a Basic header, DRF's failure detail, or the credentials. */
export type BasicParse =
  | { readonly type: "skip" }
  | { readonly type: "invalid"; readonly detail: string }
  | { readonly type: "credentials"; readonly username: string; readonly password: string };

const SKIP: BasicParse = Object.freeze({ type: "skip" });

/** Parses the request's Basic credentials. UTF-8 first, latin-1 when the bytes are not UTF-8. */
export function parseBasic(request: Request): BasicParse {
  const parts = authorizationFor(request, "basic");
  if (parts === null) return SKIP;
  if (parts.length === 1) return { type: "invalid", detail: basicMessages.noCredentials };
  if (parts.length > 2) return { type: "invalid", detail: basicMessages.spaces };
  const bytes = decodeBase64Strict(parts[1] as string);
  if (bytes === null) return { type: "invalid", detail: basicMessages.badEncoding };
  const text = decodeUtf8(bytes) ?? decodeLatin1(bytes);
  const colon = text.indexOf(":");
  if (colon < 0) return { type: "invalid", detail: basicMessages.badEncoding };
  return { type: "credentials", username: text.slice(0, colon), password: text.slice(colon + 1) };
}
