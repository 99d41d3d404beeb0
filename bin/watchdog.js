#!/usr/bin/env node
'use strict';

// The CLI is TypeScript; tsx compiles it on the fly, so it runs right after `npm ci` with no build step.
require('tsx/cjs/api').register();

const { main, processIo } = require('../lambda/cli/main.ts');

main(process.argv.slice(2), processIo()).then(
  (code) => {
    // exitCode rather than exit(): output written to a pipe is flushed before the process ends.
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`watchdog: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 3;
  },
);
