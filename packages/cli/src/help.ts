/**
 * Help texts of `portcullis` (internal).
 * @module
 */
import type { CommandName } from "./args.js";

const WHERE = `Database options (every command):
  -c, --config <path>    wrangler.json, wrangler.jsonc or wrangler.toml (default: found as wrangler finds it,
                         from the current directory upwards)
  --binding <name>       the d1_databases entry by binding (default: the first entry)
  --database <name>      the d1_databases entry by database_name
  -e, --env <name>       use the d1_databases of [env.<name>] in the config
  --local                the local database of 'wrangler dev' (the default): Miniflare's state in
                         <config dir>/.wrangler/state/v3/d1
  --persist-to <dir>     the local state lives in <dir> (as 'wrangler dev --persist-to <dir>')
  --remote               the production database, through 'wrangler d1 execute --remote' (needs wrangler in the
                         project and 'wrangler login' or CLOUDFLARE_API_TOKEN)
  --wrangler <path>      the wrangler to run for --remote (default: node_modules/wrangler of the project)
  --database-url <url>   a PostgreSQL database instead of D1 (postgres://...; or set PORTCULLIS_DATABASE_URL,
                         which keeps the password out of the process list); needs @portcullis/store-postgres
  --django               with --database-url: the Django database's own auth_user and authtoken_token
  -h, --help             show help`;

const GLOBAL = `Usage: portcullis <command> [arguments] [options]

User and token administration for a Portcullis store (D1: local, or --remote).

Commands:
  migrate                          apply the Portcullis migrations
  create-user <username>           create a user (password from a prompt or --password-stdin)
  create-token <username>          issue a token and print its key (once)
  list-tokens <username>           list a user's tokens (ids, names, times; never keys)
  revoke-tokens <username>         revoke a user's tokens (all, or one with --id)
  import-django <dumpdata.json>    import users, DRF tokens, groups and permissions from 'manage.py dumpdata'
  django-indexes                   print the indexes to add to a Django database (never applied)
  grant <user> <app.codename>      grant a permission to a user (or to a group with --group)
  revoke <user> <app.codename>     revoke a permission from a user (or from a group with --group)
  add-to-group <username> <group>  add a user to a group (whose permissions it then holds)
  remove-from-group <user> <group> remove a user from a group
  create-api-key <owner-id>        issue a scoped API key and print it (once)
  list-api-keys <owner-id>         list an owner's API keys (ids, scopes, times; never keys)
  rotate-api-key <key-id>          issue a replacement; the old key works for a grace period (default 24h)
  revoke-api-key <key-id>          revoke an API key at once

Run 'portcullis <command> --help' for a command's options.

${WHERE}
  -v, --version          print the version

Exit codes: 0 success, 1 failure, 2 usage mistake, 3 database unreachable (10 s connect timeout).`;

const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  migrate: `Usage: portcullis migrate [options]

Applies the pending Portcullis migrations and records them in wrangler's d1_migrations table (or the config's
migrations_table), so 'wrangler d1 migrations apply' and this command can be mixed.`,
  "create-user": `Usage: portcullis create-user <username> [--staff] [--password-stdin | --no-password] [options]

Creates a user. The password is typed at a prompt (echo off) when standard input is a terminal, or read from
standard input with --password-stdin (one trailing newline is dropped). It is never taken from an argument.
It is stored as a Django-format hash: by default pbkdf2_sha256 at Django 5.2's 1,000,000 iterations; with
--django-version and --hashers, the first of that project's PASSWORD_HASHERS at that release's parameters.

  --staff                the user is staff (passes isAdminUser)
  --password-stdin       read the password from standard input
  --no-password          no usable password (token-only user, as Django's set_unusable_password)
  --iterations <n>       PBKDF2 iterations (default 1000000, Django 5.2's)
  --django-version <v>   the Django release sharing the table (3.2 ... 6.1, e.g. 4.2): its hasher defaults
  --hashers <list>       its PASSWORD_HASHERS by name, preferred first (e.g. argon2,pbkdf2_sha256)`,
  "create-token": `Usage: portcullis create-token <username> [-r | --reset] [--name <name>] [--ttl <ttl>] [options]

Issues a token and prints 'Generated token <key> for user <username>'. The key is shown only now: only its
SHA-256 digest is stored. Without --reset the user's other tokens stay valid.

  -r, --reset            revoke the user's tokens first
  --name <name>          a label shown by list-tokens (such as the device)
  --ttl <ttl>            expire after 45s, 15m, 12h, 30d, ... (default: never)`,
  "list-tokens": `Usage: portcullis list-tokens <username> [--json] [options]

Lists a user's tokens, oldest first: id, name, created, expiry. Keys cannot be listed (they are not stored).

  --json                 print a JSON array instead of a table`,
  "revoke-tokens": `Usage: portcullis revoke-tokens <username> [--id <token id>] [options]

Revokes every token of the user, or only the one with --id (an id from list-tokens).

  --id <token id>        revoke only this token`,
  "import-django": `Usage: portcullis import-django <dumpdata.json> [--user-model <app.model>] [options]

Imports the JSON of 'manage.py dumpdata auth contenttypes authtoken.token' (or 'auth --natural-foreign'): users
keep their ids, usernames, password hashes, is_active, is_staff and is_superuser; DRF tokens keep working and are
stored as digests only; groups, group and user permissions and memberships are granted (not in Django mode). The whole dump is
checked before anything is written; records already present are skipped, so running it again is safe.

  --user-model <label>   the model of the users (AUTH_USER_MODEL, default auth.user)`,
  "django-indexes": `Usage: portcullis django-indexes

Prints the indexes Portcullis suggests for a Django database it serves in Django mode (postgresStore with
django: true), as SQL and as migrations.RunSQL operations: the expression index that makes a DRF key an index
lookup instead of a sequential scan of authtoken_token. It never connects to a database and applies nothing:
add the operations to a migration of your Django project, so that Django knows about them.`,
  grant: `Usage: portcullis grant <username | group> <app_label.codename> [--group] [options]

Grants a Django-style permission (blog.change_article) to a user, or to a group with --group (created by its
first grant). djangoModelPermissions and hasPerm see it on the next request. Not in Django mode: Django's
admin owns those tables.

  --group                the first argument names a group`,
  revoke: `Usage: portcullis revoke <username | group> <app_label.codename> [--group] [options]

Revokes a permission from a user, or from a group with --group. It takes effect on the next request.

  --group                the first argument names a group`,
  "add-to-group": `Usage: portcullis add-to-group <username> <group> [options]

Adds a user to a group: the user holds the group's permissions from the next request on.`,
  "remove-from-group": `Usage: portcullis remove-from-group <username> <group> [options]

Removes a user from a group.`,
  "create-api-key": `Usage: portcullis create-api-key <owner-id> [--name <name>] [--scopes <a,b>] [--ttl <ttl>] [--prefix <p>] [options]

Issues an API key for an owner (a user's or an organisation's id) and prints 'Generated API key <key>'. The key
is shown only now: only its SHA-256 digest is stored.

  --name <name>          a label shown by list-api-keys
  --scopes <a,b,...>     comma-separated scopes (read by hasScope)
  --ttl <ttl>            expire after 45s, 15m, 12h, 30d, ... (default: never)
  --prefix <prefix>      the key prefix (default pk_live_; must match apiKeyAuth's)`,
  "list-api-keys": `Usage: portcullis list-api-keys <owner-id> [--json] [options]

Lists an owner's API keys, oldest first: id, scopes, expiry, name, last use. Keys cannot be listed (they are not
stored).

  --json                 print a JSON array`,
  "rotate-api-key": `Usage: portcullis rotate-api-key <key-id> [--grace <ttl>] [options]

Issues a new key with the same owner, name and scopes, prints it once, and ends the old key after the grace
period (never later than it would have ended anyway).

  --grace <ttl>          how long the old key keeps working: 0, 15m, 12h, 7d, ... (default 24h)`,
  "revoke-api-key": `Usage: portcullis revoke-api-key <key-id> [options]

Revokes an API key (an id from list-api-keys); it stops working at once.`,
};

/** The help of one command, or the global help. */
export function helpText(command: CommandName | undefined): string {
  return command === undefined ? GLOBAL : `${COMMAND_HELP[command]}\n\n${WHERE}`;
}
