/**
 * Real Chromium for the browser tests: Debian's `/usr/bin/chromium`, driven by `playwright-core` (nothing is
 * downloaded). Missing locally: the tests skip with a visible line naming what to install; with `CI=true`, a
 * missing browser is a failure, never a skip.
 */
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/** Whether Chromium is there (after warning, or throwing under CI, when it is not). */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = "install Chromium (apt-get install chromium)";
  if (process.env.CI === "true") throw new Error(`CI: ${CHROMIUM} is required: ${message}`);
  console.warn(`skipping the browser tests: ${message}`);
  return false;
}
