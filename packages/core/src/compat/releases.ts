/**
 * The releases Portcullis can match, and how a release string is read. Facts come from
 * `specs/django-versions.md` (its §5 lists the knobs); each table row says which release changed what.
 * @module
 */
import { ConfigError } from "../errors.js";

/** Django minor releases, oldest first. 6.1 is the development release of the spec's snapshot. */
export const DJANGO_RELEASES = ["3.2", "4.0", "4.1", "4.2", "5.0", "5.1", "5.2", "6.0", "6.1"] as const;
/** DRF minor releases. 3.15.0 itself is refused (its GET/HEAD `view` permission was reverted in 3.15.1). */
export const DRF_RELEASES = ["3.14", "3.15", "3.16", "3.17", "3.18"] as const;
/** simplejwt releases whose behaviour differs: 5.3 behaves as 5.2 but for `CHECK_REVOKE_TOKEN`; 5.5 needs its patch. */
export const SIMPLEJWT_RELEASES = ["5.2", "5.3", "5.4", "5.5.0", "5.5.1"] as const;

export type DjangoRelease = (typeof DJANGO_RELEASES)[number];
export type DrfRelease = (typeof DRF_RELEASES)[number];
export type SimplejwtRelease = (typeof SIMPLEJWT_RELEASES)[number];

/** A release as stated: its minor (the table key), and its patch level when one was given (`null`: the newest). */
export interface Release<Minor extends string> {
  readonly minor: Minor;
  readonly patch: number | null;
  /** What the user wrote, e.g. `"4.2.14"` or `"4.2"`. */
  readonly text: string;
}

const VERSION = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?$/;

function supported(option: string, list: readonly string[]): ConfigError {
  return new ConfigError(option, `must be one of the supported releases: ${list.join(", ")} (a patch level may follow, e.g. "${list.at(-2)}.1")`);
}

/** Reads `"4.2"` / `"4.2.14"` against a list of minors; anything else is a `ConfigError` naming the supported ones. */
export function parseRelease<Minor extends string>(option: string, value: unknown, minors: readonly Minor[]): Release<Minor> {
  if (typeof value !== "string") throw supported(option, minors);
  const match = VERSION.exec(value.trim());
  if (match === null) throw supported(option, minors);
  const minor = `${Number(match[1])}.${Number(match[2])}` as Minor;
  if (!minors.includes(minor)) throw supported(option, minors);
  const patch = match[3] === undefined ? null : Number(match[3]);
  return { minor, patch, text: value.trim() };
}

/** simplejwt: 5.2–5.4 by minor, 5.5 only with its patch (5.5.0 and 5.5.1 write different claims). */
export function parseSimplejwt(value: unknown): Release<SimplejwtRelease> {
  const option = "simplejwt";
  if (typeof value !== "string") throw supported(option, SIMPLEJWT_RELEASES);
  const match = VERSION.exec(value.trim());
  if (match === null) throw supported(option, SIMPLEJWT_RELEASES);
  const minor = `${Number(match[1])}.${Number(match[2])}`;
  const patch = match[3] === undefined ? null : Number(match[3]);
  if (minor === "5.5") {
    if (patch !== 0 && patch !== 1) throw new ConfigError(option, `5.5 must be stated with its patch: "5.5.0" or "5.5.1" (supported: ${SIMPLEJWT_RELEASES.join(", ")})`);
    return { minor: `5.5.${patch}` as SimplejwtRelease, patch, text: value.trim() };
  }
  if (!(SIMPLEJWT_RELEASES as readonly string[]).includes(minor)) throw supported(option, SIMPLEJWT_RELEASES);
  return { minor: minor as SimplejwtRelease, patch, text: value.trim() };
}

/** Whether `release` is `minor` or later (in `list`'s order). */
export function atLeast<Minor extends string>(release: Release<Minor>, minor: Minor, list: readonly Minor[]): boolean {
  return list.indexOf(release.minor) >= list.indexOf(minor);
}

/**
 * Whether a Django patch-level fix is in: the release is a later minor than `minor`, or `minor` at `patch` or
 * later. A release stated without its patch is taken as the newest patch of its minor.
 */
export function hasDjangoFix(release: Release<DjangoRelease>, minor: DjangoRelease, patch: number): boolean {
  if (release.minor !== minor) return atLeast(release, minor, DJANGO_RELEASES);
  return release.patch === null || release.patch >= patch;
}
