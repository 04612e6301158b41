/**
 * The `compat()` value that matches each real Django stack (`_stacks.ts`): every parity test states it, so that
 * Portcullis is compared with the releases it claims to match. argon2-cffi is 21.1 on both (hash_len 16).
 * @module
 */
import { compat, type Compat } from "../src/compat/index.js";
import type { DjangoStack } from "./_stacks.js";

const COMPAT: Record<DjangoStack["name"], Compat> = {
  debian: compat({ django: "3.2", drf: "3.14", simplejwt: "5.2", argon2HashLen: 16 }),
  modern: compat({ django: "4.2", drf: "3.17", simplejwt: "5.5.1", argon2HashLen: 16 }),
};

/** The `compat()` statement of `stack`'s releases. */
export function stackCompat(stack: DjangoStack): Compat {
  return COMPAT[stack.name];
}
