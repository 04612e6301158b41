import { afterEach, describe, expect, it, vi } from "vitest";
import { hashPassword, verifyPassword } from "./index.js";

const MILLION = "pbkdf2_sha256$1000000$seasalt2$egbhFghgsJVDo5Tpg/k9ZnfbySKQ1UQnBYXhR97a7sk=";
const SHA1_150K = "pbkdf2_sha1$150000$seasalt2$lIjyT2rG1gVh5rdCmuAEoHwQtQE=";
const SHA256_10K = "pbkdf2_sha256$10000$seasalt$FQCNpiZpTb0zub+HBsH6TOwyRxJ19FwvjbweatNmK/Y=";

/** Makes WebCrypto behave as on Cloudflare's production Workers: PBKDF2 above 100,000 iterations is refused. */
function refuseLikeCloudflare() {
  const subtle = globalThis.crypto.subtle;
  const deriveBits = subtle.deriveBits.bind(subtle);
  return vi.spyOn(subtle, "deriveBits").mockImplementation(async (algorithm, key, length) => {
    const { iterations = 0 } = algorithm as Pbkdf2Params;
    if (iterations > 100_000) {
      throw new DOMException(
        `Pbkdf2 failed: iteration counts above 100000 are not supported (requested ${iterations}).`,
        "NotSupportedError",
      );
    }
    return deriveBits(algorithm, key, length);
  });
}

function iterationsOf(spy: ReturnType<typeof refuseLikeCloudflare>): number[] {
  return spy.mock.calls.map(([algorithm]) => (algorithm as Pbkdf2Params).iterations);
}

describe("PBKDF2 where WebCrypto refuses the iteration count (Cloudflare production)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("verifies a 1,000,000-iteration row on the WebAssembly core (SHA-256) or @noble/hashes (SHA-1) instead", async () => {
    const spy = refuseLikeCloudflare();
    expect(await verifyPassword("lètmein", MILLION)).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword("lètmein", SHA1_150K)).toEqual({ valid: true, needsRehash: true });
    expect(iterationsOf(spy)).toEqual([1_000_000, 150_000]);
  });

  it("still uses WebCrypto for the counts it accepts", async () => {
    const spy = refuseLikeCloudflare();
    expect((await verifyPassword("letmein", SHA256_10K)).valid).toBe(true);
    expect(iterationsOf(spy)).toEqual([10_000]);
    await expect(spy.mock.results[0]?.value).resolves.toBeInstanceOf(ArrayBuffer);
  });

  it("hashes the default on the WebAssembly core into bytes that WebCrypto verifies", async () => {
    refuseLikeCloudflare();
    const encoded = await hashPassword("correct horse battery staple");
    vi.restoreAllMocks();
    const spy = vi.spyOn(globalThis.crypto.subtle, "deriveBits");
    expect(await verifyPassword("correct horse battery staple", encoded)).toEqual({ valid: true, needsRehash: false });
    expect(iterationsOf(spy)).toEqual([1_000_000]);
  });
});
