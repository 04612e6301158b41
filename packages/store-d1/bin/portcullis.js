#!/usr/bin/env node
// The `portcullis` CLI of @portcullis/store-d1; the code is src/cli/main.ts, compiled to dist/ by `tsc -b`.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
