// Typechecked in the outside project: every entry point of every package that a Node project
// imports, as an npm user imports it (the Workers-only ones are in workers.ts).
export * as adaptersDeno from "@portcullis/adapters/deno";
export * as adaptersFetch from "@portcullis/adapters/fetch";
export * as adaptersHono from "@portcullis/adapters/hono";
export * as adaptersNode from "@portcullis/adapters/node";
export * as cli from "@portcullis/cli";
export * as core from "@portcullis/core";
export * as django from "@portcullis/core/django";
export * as jwt from "@portcullis/core/jwt";
export * as sessions from "@portcullis/core/sessions";
export * as storeD1 from "@portcullis/store-d1";
export * as storeMemory from "@portcullis/store-memory";
export * as storePostgres from "@portcullis/store-postgres";
export * as storeRedis from "@portcullis/store-redis";
export * as testing from "@portcullis/testing";
