/**
 * `randomId()`: the id a store gives a new row when the caller names none.
 * @module
 */
import { randomHex } from "../internal/random.js";

/**
 * 128 random bits as 32 lowercase hex characters, from `crypto.getRandomValues`: the id of a new user (or any
 * other row) in every Portcullis store, so ids look the same whichever store made them.
 * @example
 * const id = user.id ?? randomId();
 */
export function randomId(): string {
  return randomHex(16);
}
