/**
 * dj-rest-auth 7.1.1 (Django 4.2, DRF 3.17, simplejwt 5.5.1: the modern stack) against Portcullis's
 * `restAuthHandlers`: the same requests, in each of the three modes, to both halves, each with its own cookie jar;
 * status, body, `Set-Cookie` attributes and challenge must match once tokens, keys and dates are masked. Then a
 * reset link Django mailed resets the password on Portcullis, and a link Portcullis made checks on Django.
 */
import { fileURLToPath } from "node:url";
import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../src/index.js";
import { jwtSettings } from "../../src/jwt/index.js";
import { encodeUid, passwordResetTokens, restAuthHandlers, type PasswordResetMessage, type RestAuthMode } from "../../src/accounts/index.js";
import { djangoStacks, runPython } from "../_stacks.js";

import { CSRF_SECRET, SECRET, USER, mask, playSteps, releases, scenarios, type Answer, type DjangoRun, type Step } from "./_rest-auth-steps.js";

const SCRIPT = fileURLToPath(new URL("./django_rest_auth.py", import.meta.url));

async function portcullis(mode: RestAuthMode, steps: readonly Step[]): Promise<Answer[]> {
  const store = memoryStore();
  const passwordHash = await hashPassword(USER.password, { iterations: 1000 });
  await store.createUser({ id: USER.id, username: USER.username, passwordHash });
  await store.updateAccount(USER.id, { email: USER.email, firstName: USER.firstName, lastName: USER.lastName });
  const mails: PasswordResetMessage[] = [];
  const jwt = jwtSettings({ signingKey: SECRET, rotateRefreshTokens: true, blacklistAfterRotation: true });
  const auth = restAuthHandlers({
    mode, store, jwt, blacklist: store, bruteForce: false, returnExpiration: true, compat: releases,
    cookies: { accessCookie: "my-app-auth", refreshCookie: "my-refresh-token", secure: false },
    resetTokens: passwordResetTokens({ secretKey: SECRET, compat: releases }),
    sendPasswordReset: (message) => void mails.push(message),
  });
  return playSteps(auth, steps, mails);
}

// dj-rest-auth is only on the modern stack (Debian has no package): probe the stacks without it, keep the modern
// one, and let a missing dj-rest-auth fail the script loudly rather than skip.
const modern = djangoStacks(["rest_framework_simplejwt"], "the dj-rest-auth comparison").filter((s) => s.name === "modern");
if (modern.length === 0 && process.env.CI === "true") throw new Error("CI=true: the dj-rest-auth comparison needs the modern Django stack");

for (const stack of modern) {
  describe(`dj-rest-auth ${stack.versions.django} / DRF ${stack.versions.drf} / simplejwt ${stack.versions.simplejwt} (${stack.name} stack)`, () => {
    for (const mode of ["token", "session", "jwt"] as const) {
      it(`the ${mode} mode answers every request as dj-rest-auth does`, async () => {
        const steps = scenarios[mode];
        const django = runPython<DjangoRun>(stack, SCRIPT, { mode, secret: SECRET, csrfSecret: CSRF_SECRET, user: USER, steps }, { timeoutMs: 180_000 });
        const ours = await portcullis(mode, steps);
        const label = (step: Step) => `${step.method} ${step.path} ${JSON.stringify(step.body ?? {})}`;
        expect(ours.map((answer, i) => ({ step: label(steps[i] as Step), ...mask(answer) }))).toEqual(
          django.answers.map((answer, i) => ({ step: label(steps[i] as Step), ...mask(answer) })),
        );
      }, 240_000);
    }

    it("a reset link Django mailed resets the password on Portcullis, and a link Portcullis made checks on Django", async () => {
      const steps: Step[] = [{ method: "POST", path: "/auth/password/reset/", body: { email: USER.email } }];
      const django = runPython<DjangoRun>(stack, SCRIPT, { mode: "token", secret: SECRET, user: USER, steps }, { timeoutMs: 180_000 });
      const [uid, token] = django.mail[0] as [string, string];
      expect(uid).toBe(encodeUid(USER.id));
      const store = memoryStore();
      await store.createUser({ id: django.user.id, username: USER.username, passwordHash: django.user.password });
      await store.updateAccount(USER.id, { email: django.user.email });
      if (django.user.lastLogin !== null) await store.setLastLogin(USER.id, django.user.lastLogin);
      const tokens = passwordResetTokens({ secretKey: SECRET, compat: releases });
      const auth = restAuthHandlers({ mode: "token", store, resetTokens: tokens, sendPasswordReset: () => undefined, compat: releases });
      const confirm = (t: string) => auth.passwordResetConfirm(new Request("http://testserver/auth/password/reset/confirm/", {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ uid, token: t, new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" }),
      }));
      expect((await confirm(token)).status).toBe(200);
      expect((await confirm(token)).status).toBe(400);
      // The reverse: Portcullis makes the link for the same user row; Django's own confirm view accepts it.
      const ourToken = tokens.make({ id: USER.id, passwordHash: django.user.password, lastLogin: django.user.lastLogin, email: django.user.email });
      const reverse = runPython<DjangoRun>(stack, SCRIPT, {
        mode: "token", secret: SECRET, user: { ...USER, passwordHash: django.user.password },
        steps: [{ method: "POST", path: "/auth/password/reset/confirm/", body: { uid, token: ourToken, new_password1: "n3w-Passw0rd!", new_password2: "n3w-Passw0rd!" } }],
      }, { timeoutMs: 180_000 });
      expect(reverse.answers[0]).toMatchObject({ status: 200, body: { detail: "Password has been reset with the new password." } });
    }, 240_000);
  });
}
