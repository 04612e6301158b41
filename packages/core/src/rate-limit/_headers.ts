/**
 * The `RateLimit-Policy` and `RateLimit` fields of the IETF httpapi draft "RateLimit header fields for HTTP"
 * (draft-ietf-httpapi-ratelimit-headers-09, March 2025): Structured Field lists whose members are a quoted policy
 * name with parameters — `q` (quota), `w` (window, seconds) on the policy; `r` (remaining), `t` (seconds until
 * quota frees) on the current state.
 * @module
 */
import type { Rate } from "../throttles/rate.js";

/** A policy name: a short token that is a valid Structured Field string without escapes. */
export const POLICY_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * `"<name>";q=<limit>;w=<window seconds>` (the window rounded up to whole seconds, as the field requires).
 * @example
 * policyField("default", { limit: 100, windowMs: 60_000 }); // '"default";q=100;w=60'
 */
export function policyField(name: string, rate: Rate): string {
  return `"${name}";q=${rate.limit};w=${Math.ceil(rate.windowMs / 1000)}`;
}

/**
 * `"<name>";r=<remaining>;t=<seconds>`: the hits still available in the sliding window after this request, and
 * how long until the oldest live hit leaves it (a unit frees up then; 0 when the log is empty, the whole window
 * when a full log's oldest hit is unknown, as with the Rate Limiting binding).
 * @example
 * stateField("default", { limit: 5, windowMs: 60_000 }, { count: 2, oldest: 1_000 }, 31_000); // '"default";r=3;t=30'
 */
export function stateField(name: string, rate: Rate, log: { count: number; oldest: number | null }, now: number): string {
  const remaining = Math.max(0, rate.limit - log.count);
  const window = Math.ceil(rate.windowMs / 1000);
  const reset =
    log.oldest === null ? (remaining === 0 ? window : 0) : Math.max(0, Math.ceil((log.oldest + rate.windowMs - now) / 1000));
  return `"${name}";r=${remaining};t=${reset}`;
}
