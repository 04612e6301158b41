import { describe, expect, it } from "vitest";
import { splitSql } from "./_split-sql.js";

describe("splitSql", () => {
  it("splits on semicolons and drops comments and empty statements", () => {
    const script = "-- head; comment\nCREATE TABLE a (x);\n/* block; */ CREATE INDEX i ON a (x) ;;\n\nSELECT 1";
    expect(splitSql(script)).toEqual(["CREATE TABLE a (x)", "CREATE INDEX i ON a (x)", "SELECT 1"]);
  });

  it("keeps semicolons and dashes inside strings and quoted identifiers", () => {
    const script = `INSERT INTO "we;ird" VALUES ('a;b', 'it''s -- fine', [x;y], \`q;\`); SELECT 2 - 1`;
    expect(splitSql(script)).toEqual([`INSERT INTO "we;ird" VALUES ('a;b', 'it''s -- fine', [x;y], \`q;\`)`, "SELECT 2 - 1"]);
  });

  it("answers nothing for a script of comments", () => {
    expect(splitSql("-- nothing\n/* at all */\n")).toEqual([]);
  });
});
