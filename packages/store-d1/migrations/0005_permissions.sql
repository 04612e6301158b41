-- Portcullis on D1: Django-style permissions and groups. A permission is its "app_label.codename" name; a group is
-- its unique name, created by its first grant or member. Granted through the CLI (`portcullis grant`) or
-- PermissionAdminStore; read in one statement per request by djangoModelPermissions and hasPerm.

ALTER TABLE portcullis_users ADD COLUMN is_superuser INTEGER NOT NULL DEFAULT 0 CHECK (is_superuser IN (0, 1));

CREATE TABLE portcullis_user_permissions (
  user_id TEXT NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  permission TEXT NOT NULL,
  PRIMARY KEY (user_id, permission)
) WITHOUT ROWID;

CREATE TABLE portcullis_group_permissions (
  group_name TEXT NOT NULL,
  permission TEXT NOT NULL,
  PRIMARY KEY (group_name, permission)
) WITHOUT ROWID;

CREATE TABLE portcullis_user_groups (
  user_id TEXT NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  group_name TEXT NOT NULL,
  PRIMARY KEY (user_id, group_name)
) WITHOUT ROWID;

CREATE INDEX portcullis_user_groups_group ON portcullis_user_groups (group_name);
