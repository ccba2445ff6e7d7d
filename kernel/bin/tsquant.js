#!/usr/bin/env node
// The `tsquant` command. npm links package bins before the workspace's postinstall builds
// dist/, and it skips a bin whose target does not exist yet; this committed file always exists,
// so `npx tsquant` works after a fresh `npm install`, and it runs the built CLI.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const cli = join(__dirname, "..", "dist", "cli", "main.js");
if (!existsSync(cli)) {
  process.stderr.write(
    `tsquant: ${cli} is missing: build the package first (npm install, or npm run build).\n`,
  );
  process.exit(1);
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`tsquant: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
