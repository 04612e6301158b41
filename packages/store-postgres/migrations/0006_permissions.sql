-- portcullis-mode: native
-- Portcullis on PostgreSQL: Django-style permissions and groups in Portcullis's own tables (Django mode reads
-- Django's five auth tables instead). A permission is its "app_label.codename" name; a group is its unique name,
-- created by its first grant or member. Granted through the CLI (`portcullis grant`) or PermissionAdminStore.

ALTER TABLE portcullis_users ADD COLUMN is_superuser boolean NOT NULL DEFAULT false;

CREATE TABLE portcullis_user_permissions (
  user_id text NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  permission text NOT NULL,
  PRIMARY KEY (user_id, permission)
);

CREATE TABLE portcullis_group_permissions (
  group_name text NOT NULL,
  permission text NOT NULL,
  PRIMARY KEY (group_name, permission)
);

CREATE TABLE portcullis_user_groups (
  user_id text NOT NULL REFERENCES portcullis_users (id) ON DELETE CASCADE,
  group_name text NOT NULL,
  PRIMARY KEY (user_id, group_name)
);

CREATE INDEX portcullis_user_groups_group ON portcullis_user_groups (group_name);
