import { afterEach, describe, expect, it, vi } from "vitest";

const BCRYPT = "bcrypt$$2b$12$dH5JF7lxBpuQWinkAbAY6OEILAiNX/otMHx563Q5OI0Vn4FosXsRq";
const BCRYPT_SHA256 = "bcrypt_sha256$$2a$05$6Ebl76fkDTdVHktqdiRm/uCniXaPcn/GF/MvsaUwYie9EfbKt4hv.";

/** A fresh copy of the passwords module, so that the once-only `bcryptjs` import runs again. */
async function freshPasswords() {
  vi.resetModules();
  return import("./index.js");
}

describe("bcrypt rows", () => {
  afterEach(() => {
    vi.doUnmock("bcryptjs");
    vi.restoreAllMocks();
  });

  it("verify through bcryptjs when it is installed", async () => {
    const { isBcryptAvailable, verifyPassword } = await freshPasswords();
    expect(await isBcryptAvailable()).toBe(true);
    expect(await verifyPassword("lètmein", BCRYPT_SHA256)).toEqual({ valid: true, needsRehash: true });
  });

  it("are invalid, with one warning naming bcryptjs, when bcryptjs cannot be imported", async () => {
    vi.doMock("bcryptjs", () => {
      throw new Error("Cannot find package 'bcryptjs'");
    });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { isBcryptAvailable, verifyPassword } = await freshPasswords();
    expect(await verifyPassword("lètmein", BCRYPT_SHA256)).toEqual({ valid: false, needsRehash: false });
    expect(await verifyPassword("lètmein", BCRYPT)).toEqual({ valid: false, needsRehash: false });
    expect(await isBcryptAvailable()).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("bcryptjs");
  });

  it("never verify a password holding a NUL byte (pyca/bcrypt refuses them)", async () => {
    const { verifyPassword } = await freshPasswords();
    const bcryptjs = await import("bcryptjs");
    expect(await verifyPassword("a b", `bcrypt$${await bcryptjs.hash("a b", 4)}`)).toMatchObject({ valid: true });
    const row = `bcrypt$${await bcryptjs.hash("a\0b", 4)}`;
    expect(await verifyPassword("a\0b", row)).toEqual({ valid: false, needsRehash: false });
  });
});
