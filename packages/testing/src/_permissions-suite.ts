/**
 * Conformance tests of `PermissionStore` (with `PermissionAdminStore` to set them up) (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import { StoreError } from "@portcullis/core";
import type { PermissionAdminStore, PermissionStore, UserStore } from "@portcullis/core";
import { makeUser, uniqueName, uniqueUserId, type StoreAccessor } from "./_fixtures.js";

type S = UserStore & PermissionStore & PermissionAdminStore;

const sorted = (names: ReadonlySet<string>) => [...names].sort();

/** Registers the permission tests. */
export function permissionTests(store: StoreAccessor<S>): void {
  describe("permissions: user and group permissions (ModelBackend)", () => {
    it("an unknown user, or a malformed id, holds nothing (and nothing throws)", async () => {
      for (const id of [uniqueUserId(), "", "abc", "1 OR 1=1", "-1", "1.5", "\u0000"]) {
        expect(await store().getPermissions(id)).toEqual({ all: false, names: new Set() });
      }
    });

    it("answers the user's own permissions; grant and revoke answer whether they changed anything", async () => {
      const user = await makeUser(store());
      expect(await store().grantPermission({ userId: user.id }, "blog.add_article")).toBe(true);
      expect(await store().grantPermission({ userId: user.id }, "blog.add_article")).toBe(false);
      await store().grantPermission({ userId: user.id }, "blog.change_article");
      expect(sorted((await store().getPermissions(user.id)).names)).toEqual(["blog.add_article", "blog.change_article"]);
      expect((await store().getPermissions(user.id)).all).toBe(false);
      expect(await store().revokePermission({ userId: user.id }, "blog.add_article")).toBe(true);
      expect(await store().revokePermission({ userId: user.id }, "blog.add_article")).toBe(false);
      expect(sorted((await store().getPermissions(user.id)).names)).toEqual(["blog.change_article"]);
    });

    it("adds the permissions of every group the user is in, and only while they are in it", async () => {
      const user = await makeUser(store());
      const [editors, readers] = [uniqueName("editors"), uniqueName("readers")];
      await store().grantPermission({ group: editors }, "blog.change_article");
      await store().grantPermission({ group: readers }, "blog.view_article");
      await store().grantPermission({ userId: user.id }, "blog.view_article");
      expect(await store().addUserToGroup(user.id, editors)).toBe(true);
      expect(await store().addUserToGroup(user.id, editors)).toBe(false);
      await store().addUserToGroup(user.id, readers);
      expect(sorted((await store().getPermissions(user.id)).names)).toEqual(["blog.change_article", "blog.view_article"]);
      expect(await store().removeUserFromGroup(user.id, editors)).toBe(true);
      expect(await store().removeUserFromGroup(user.id, editors)).toBe(false);
      expect(sorted((await store().getPermissions(user.id)).names)).toEqual(["blog.view_article"]);
      await store().revokePermission({ group: readers }, "blog.view_article");
      await store().revokePermission({ userId: user.id }, "blog.view_article");
      expect((await store().getPermissions(user.id)).names.size).toBe(0);
    });

    it("never leaks one user's or one group's permissions to another", async () => {
      const [alice, bob] = [await makeUser(store()), await makeUser(store())];
      const group = uniqueName("staff");
      await store().grantPermission({ userId: alice.id }, "blog.delete_article");
      await store().grantPermission({ group }, "blog.add_article");
      await store().addUserToGroup(alice.id, group);
      expect((await store().getPermissions(bob.id)).names.size).toBe(0);
      await store().addUserToGroup(bob.id, uniqueName("empty"));
      expect((await store().getPermissions(bob.id)).names.size).toBe(0);
    });

    it("keeps permission names exactly (case, digits, dashes)", async () => {
      const user = await makeUser(store());
      for (const name of ["Blog.Publish_Article", "shop2.can-refund", "blog.add_article"]) await store().grantPermission({ userId: user.id }, name);
      expect(sorted((await store().getPermissions(user.id)).names)).toEqual(["Blog.Publish_Article", "blog.add_article", "shop2.can-refund"]);
    });
  });

  describe("permissions: inactive users and superusers", () => {
    it("an inactive user holds nothing, whatever was granted to it or its groups", async () => {
      const user = await makeUser(store(), { isActive: false });
      const group = uniqueName("editors");
      await store().grantPermission({ userId: user.id }, "blog.add_article");
      await store().grantPermission({ group }, "blog.change_article");
      await store().addUserToGroup(user.id, group);
      expect(await store().getPermissions(user.id)).toEqual({ all: false, names: new Set() });
    });

    it("an active superuser holds all without listing them; an inactive superuser holds nothing", async () => {
      const superuser = await makeUser(store(), { isSuperuser: true });
      expect(await store().getPermissions(superuser.id)).toEqual({ all: true, names: new Set() });
      const retired = await makeUser(store(), { isSuperuser: true, isActive: false });
      expect(await store().getPermissions(retired.id)).toEqual({ all: false, names: new Set() });
    });

    it("the user store reports isSuperuser for superusers", async () => {
      const superuser = await makeUser(store(), { isSuperuser: true });
      expect((await store().getUserById(superuser.id))?.isSuperuser).toBe(true);
      const user = await makeUser(store());
      expect((await store().getUserById(user.id))?.isSuperuser ?? false).toBe(false);
    });
  });

  describe("permissions: writes", () => {
    it("granting to, or adding to a group, a user that does not exist throws StoreError", async () => {
      const ghost = uniqueUserId();
      await expect(store().grantPermission({ userId: ghost }, "blog.add_article")).rejects.toBeInstanceOf(StoreError);
      await expect(store().addUserToGroup(ghost, uniqueName("g"))).rejects.toBeInstanceOf(StoreError);
      expect(await store().revokePermission({ userId: ghost }, "blog.add_article")).toBe(false);
      expect(await store().removeUserFromGroup(ghost, uniqueName("g"))).toBe(false);
    });
  });
}
