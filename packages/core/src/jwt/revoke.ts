/**
 * simplejwt's `CHECK_REVOKE_TOKEN`: tokens carry `hash_password` = MD5 of the user's stored Django hash string,
 * upper-case hex (`utils.get_md5_hash_password`); a changed password changes it, so older tokens stop working.
 * MD5 here is only a fingerprint of the stored hash, as in simplejwt, never a password hash.
 * @module
 */
import { md5 } from "@noble/hashes/legacy.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { timingSafeEqualString } from "../internal/constant-time.js";
import type { User, UserStore } from "../store/types.js";
import type { JwtSettings } from "./settings.js";
import type { JwtPayload } from "./verify.js";

/** `md5(password_hash).hexdigest().upper()`. */
export function passwordFingerprint(passwordHash: string): string {
  return bytesToHex(md5(utf8ToBytes(passwordHash))).toUpperCase();
}

/** Whether the token's revoke claim matches the user's current password hash (one more store round trip). */
export async function checkRevoke(
  users: Pick<UserStore, "getUserByUsername">,
  user: User,
  payload: JwtPayload,
  settings: JwtSettings,
): Promise<boolean> {
  const claim = payload[settings.revokeTokenClaim];
  if (typeof claim !== "string") return false;
  const credentials = await users.getUserByUsername(user.username);
  if (credentials === null || credentials.user.id !== user.id) return false;
  return timingSafeEqualString(passwordFingerprint(credentials.passwordHash), claim);
}
