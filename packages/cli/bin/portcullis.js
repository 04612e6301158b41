#!/usr/bin/env node
// The `portcullis` command of @portcullis/cli; the code is src/main.ts, compiled to dist/ by `tsc -b`.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
