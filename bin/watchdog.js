#!/usr/bin/env node
'use strict';

// The `watchdog` and `rollback-watchdog` commands. In a checkout the CLI is TypeScript and tsx compiles it on
// the fly, so it runs right after `npm ci` with no build step. The published package ships no TypeScript
// sources (and no tsx): there it runs the self-contained bundle `npm pack` built (scripts/build-package.ts).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'lambda', 'cli', 'process.ts');
let cli;
if (existsSync(source)) {
  require('tsx/cjs/api').register();
  cli = require(source);
} else {
  // Stack traces of unexpected errors point into the TypeScript sources through the bundle's source map.
  process.setSourceMapsEnabled(true);
  cli = require('../dist/cli/watchdog.js');
}
void cli.runProcess(process.argv.slice(2));
