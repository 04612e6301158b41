import { describe, expect, it } from "vitest";
import { compat } from "../compat/index.js";
import { ConfigError } from "../errors.js";
import { jwtSettings, mintTokenPair, refreshJwtHandler, verifyJwtHandler } from "./index.js";

const SECRET = "django-insecure-portcullis-compat-secret-0123456789";
const v52 = compat({ simplejwt: "5.2" });
const v551 = compat({ simplejwt: "5.5.1" });
const post = (body: unknown) => new Request("https://api.test/", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()) as Record<string, unknown>;

describe("jwtSettings({ compat }): simplejwt per release", () => {
  it("writes user_id as the release does: a number up to 5.5.0, a string from 5.5.1", async () => {
    const old = await mintTokenPair(jwtSettings({ signingKey: SECRET, compat: v52 }), { id: "42" });
    const now = await mintTokenPair(jwtSettings({ signingKey: SECRET, compat: v551 }), { id: "42" });
    expect([old.access.payload.user_id, now.access.payload.user_id]).toEqual([42, "42"]);
    expect(jwtSettings({ signingKey: SECRET }).userIdType).toBe("string");
  });

  it("an access token from refresh copies the refresh token's iat up to 5.5.0, and has its own from 5.5.1", async () => {
    for (const [releases, copies] of [[v52, true], [compat({ simplejwt: "5.5.0" }), true], [v551, false]] as const) {
      const jwt = jwtSettings({ signingKey: SECRET, compat: releases });
      const { refresh } = await mintTokenPair(jwt, { id: "42" }, { now: Date.now() - 60_000 });
      const response = await refreshJwtHandler({ jwt })(post({ refresh: refresh.token }));
      const access = payloadOf(((await response.json()) as { access: string }).access);
      expect([releases.simplejwt.text, access.iat === refresh.payload.iat]).toEqual([releases.simplejwt.text, copies]);
      expect(Object.keys(access).slice(0, 4)).toEqual(["token_type", "exp", "iat", "jti"]);
    }
  });

  it("words a refused token as the release does: one message up to 5.4, expired apart from invalid from 5.5.0", async () => {
    const words = async (releases: ReturnType<typeof compat>) => {
      const jwt = jwtSettings({ signingKey: SECRET, compat: releases });
      const { access } = await mintTokenPair(jwt, { id: "42" }, { now: Date.now() - 86_400_000 });
      const verify = verifyJwtHandler({ jwt });
      const detail = async (token: string) => ((await (await verify(post({ token }))).json()) as { detail: string }).detail;
      return [await detail(access.token), await detail(`${access.token.slice(0, -2)}xx`)];
    };
    expect(await words(compat({ simplejwt: "5.4" }))).toEqual(["Token is invalid or expired", "Token is invalid or expired"]);
    expect(await words(compat({ simplejwt: "5.5.0" }))).toEqual(["Token is expired", "Token is invalid"]);
  });

  it.each([
    [{ compat: v52, checkUserIsActive: false }, "checkUserIsActive"],
    [{ compat: compat({ simplejwt: "5.3" }), checkUserIsActive: true }, "checkUserIsActive"],
    [{ compat: v52, checkRevokeToken: true }, "checkRevokeToken"],
    [{ compat: v52, revokeTokenClaim: "pw" }, "revokeTokenClaim"],
    [{ compat: v551, userIdType: "number" }, "userIdType"],
    [{ compat: { simplejwt: "5.5.1" } }, "compat"],
  ] as const)("refuses %j: a setting the stated release lacks is a ConfigError naming it", (options, option) => {
    const make = () => jwtSettings({ signingKey: SECRET, ...(options as object) });
    expect(make).toThrow(ConfigError);
    try { make(); } catch (error) { expect((error as ConfigError).option).toBe(option); }
  });

  it("accepts those settings where the release has them", () => {
    expect(() => jwtSettings({ signingKey: SECRET, compat: compat({ simplejwt: "5.3" }), checkRevokeToken: true })).not.toThrow();
    expect(() => jwtSettings({ signingKey: SECRET, compat: compat({ simplejwt: "5.4" }), checkUserIsActive: false })).not.toThrow();
  });
});
