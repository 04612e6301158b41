import { runCounterStoreConformance } from "@portcullis/testing";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll } from "vitest";
import { remoteCounters, startCounterWorker } from "../test/_harness.js";

let mf: Miniflare;
let next = 0;

beforeAll(async () => {
  mf = await startCounterWorker();
});

afterAll(async () => {
  await mf?.dispose();
});

// Each test gets objects of its own (a fresh name prefix), so purge counts see only that test's counters.
runCounterStoreConformance("durableObjectCounters (PortcullisCounters in workerd)", () => remoteCounters(mf, `conformance-${next++}:`));
