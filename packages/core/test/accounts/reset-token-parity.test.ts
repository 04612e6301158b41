/**
 * Django's `PasswordResetTokenGenerator`, reset-link `uid`s and `validate_password` against Portcullis, on every
 * Django stack: a token made on either half checks on the other, for the same users, clocks, time zones, secret
 * fallbacks and expiry; the validators answer the same messages.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compat } from "../../src/index.js";
import { decodeUid, djangoPasswordValidators, encodeUid, passwordResetTokens, validatePassword, type ResetTokenSubject } from "../../src/accounts/index.js";
import { djangoStacks, runPython } from "../_stacks.js";

const SCRIPT = fileURLToPath(new URL("./django_accounts.py", import.meta.url));
const SECRET = "django-insecure-reset-parity-0123456789abcdefghijklmnopqrstuvwxyz";
const OLD = "an-older-secret-key-that-was-rotated-out-0123456789abcdefghij";
const NOW = Date.UTC(2026, 11, 4, 18, 30, 15, 250);
const DAY = 86_400_000;

interface Person extends ResetTokenSubject {
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
}

const alice: Person = {
  id: "42", passwordHash: "pbkdf2_sha256$600000$salt$hash=", lastLogin: Date.UTC(2026, 10, 30, 9, 5, 7, 999),
  email: "Alice@Example.com", username: "alice", firstName: "Alice", lastName: "Liddell",
};
const never: Person = { ...alice, id: "7", lastLogin: null, email: "" };
const variants: Person[] = [alice, never, { ...alice, passwordHash: "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA" }];

const passwords = [
  "password", "alice2026", "Liddell!", "12345678901", "short", "correct horse battery staple", "  Password  ",
  "alicealice", "exampleexample", "٣٤٥٦٧٨٩٠١٢", "²³²³²³²³²³", "qwertyuiop", "zoë-ünïcødé-pass",
].map((password) => ({ password, user: alice }));

interface Answer {
  made: string[];
  checked: boolean[];
  uids: string[];
  validated: string[][];
}

for (const stack of djangoStacks([], "password reset tokens and validators")) {
  const release = compat({ django: stack.versions.django.split(".").slice(0, 2).join(".") });
  const fallbacks = release.accounts.resetTokenFallbacks;

  describe(`reset tokens and validators against Django ${stack.versions.django} (${stack.name} stack)`, () => {
    for (const timeZone of ["UTC", "America/Chicago"]) {
      it(`a token made on either half checks on the other, and expires the same way (TIME_ZONE=${timeZone})`, async () => {
        const ours = passwordResetTokens({ secretKey: SECRET, secretKeyFallbacks: [OLD], timeZone, compat: release });
        const signedWithOld = passwordResetTokens({ secretKey: OLD, timeZone, compat: release });
        const make = variants.map((user) => ({ user, now: NOW }));
        const theirs = runPython<Answer>(stack, SCRIPT, { secret: SECRET, fallbacks: [OLD], timeZone, timeout: 259_200, make, check: [], passwords: [] });
        expect(theirs.made).toEqual(variants.map((user) => ours.make(user, NOW)));
        expect(theirs.uids).toEqual(variants.map((user) => encodeUid(user.id)));
        const token = ours.make(alice, NOW);
        const cases = [
          { user: alice, now: NOW, token },
          { user: alice, now: NOW + 3 * DAY, token },
          { user: alice, now: NOW + 3 * DAY + 1000, token },
          { user: alice, now: NOW - 1000, token },
          { user: { ...alice, passwordHash: "pbkdf2_sha256$600000$salt$other=" }, now: NOW, token },
          { user: { ...alice, lastLogin: NOW + 5000 }, now: NOW, token },
          { user: { ...alice, lastLogin: (alice.lastLogin as number) + 1 }, now: NOW, token },
          { user: { ...alice, email: "alice@example.com" }, now: NOW, token },
          { user: never, now: NOW, token },
          { user: alice, now: NOW, token: signedWithOld.make(alice, NOW) },
          { user: alice, now: NOW, token: `${token}-x` },
          { user: alice, now: NOW, token: token.toUpperCase() },
          { user: alice, now: NOW, token: `0${token}` },
          { user: alice, now: NOW, token: "" },
          { user: alice, now: NOW, token: token.slice(0, -1) },
        ];
        const checked = runPython<Answer>(stack, SCRIPT, { secret: SECRET, fallbacks: [OLD], timeZone, timeout: 259_200, make: [], check: cases, passwords: [] });
        expect(cases.map((c) => ours.check(c.user, c.token, c.now))).toEqual(checked.checked);
        expect(checked.checked.slice(0, 4)).toEqual([true, true, false, true]);
        expect(checked.checked[9]).toBe(fallbacks);
        expect(theirs.made.every((made) => ours.check(variants[theirs.made.indexOf(made)] as Person, made, NOW + DAY))).toBe(true);
      });
    }

    it("with USE_TZ = False, last_login is hashed as TIME_ZONE's wall clock: tokens match only with useTz: false", async () => {
      const timeZone = "America/Chicago";
      const ours = passwordResetTokens({ secretKey: SECRET, timeZone, useTz: false, compat: release });
      const theirs = runPython<Answer>(stack, SCRIPT, { secret: SECRET, fallbacks: [], timeZone, useTz: false, timeout: 259_200, make: [{ user: alice, now: NOW }], check: [], passwords: [] });
      expect(theirs.made).toEqual([ours.make(alice, NOW)]);
      expect(passwordResetTokens({ secretKey: SECRET, timeZone, compat: release }).check(alice, theirs.made[0], NOW)).toBe(false);
      expect(() => passwordResetTokens({ secretKey: SECRET, useTz: "no" as unknown as boolean })).toThrow(/useTz/);
    });

    it("validate_password answers the same messages, in order", async () => {
      const { validated } = runPython<Answer>(stack, SCRIPT, { secret: SECRET, fallbacks: [], timeZone: "UTC", timeout: 1, make: [], check: [], passwords });
      const validators = djangoPasswordValidators({ compat: release });
      const ours = await Promise.all(passwords.map((p) => validatePassword(p.password, p.user, validators)));
      expect(ours).toEqual(validated);
      expect(validated[0]).toEqual(["This password is too common."]);
      expect(validated.flat()).toEqual(expect.arrayContaining([
        "The password is too similar to the username.", "The password is too similar to the last name.",
        "This password is entirely numeric.", "This password is too short. It must contain at least 8 characters.",
      ]));
    });
  });
}

describe("reset-link uids", () => {
  it("round-trips and refuses what is not canonical URL-safe base64 of a pk", () => {
    expect(encodeUid("42")).toBe("NDI");
    expect(decodeUid("NDI")).toBe("42");
    for (const bad of ["", "N", "NDI=", "ND!", "NDJ", "a".repeat(300), 42, null, "_-_-"]) expect(decodeUid(bad)).toBeNull();
  });
});
