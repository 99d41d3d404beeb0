import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import {
  BUNDLE_FILE,
  HANDLER_ENTRIES,
  HANDLER_ESBUILD_OPTIONS,
  type HandlerEntry,
} from '../lib/private/handler-code';

/**
 * Builds what `npm pack` ships (run by `prepack`, or `npm run build:package`), into dist/:
 * - dist/lib, dist/lambda/contract: the construct library compiled by tsc (tsconfig.build.json), JavaScript
 *   and declarations; it needs only aws-cdk-lib and constructs (peer dependencies).
 * - dist/handlers/<entry>/index.js (+ .map): each Lambda handler bundled the way NodejsFunction bundles it in a
 *   checkout (HANDLER_BUNDLING), so a construct user's synth needs neither esbuild nor the handlers' SDK
 *   clients, and deploys exactly the bytes this build produced.
 * - dist/cli/watchdog.js (+ .map): the CLI and simulator in one file with everything they use (AWS SDK,
 *   zod, dynalite), so neither `npx rollback-watchdog` nor a construct user installs any runtime dependency.
 */
const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** The CLI supports the Node versions package.json's `engines` allows. */
const CLI_TARGET = 'node20';

/** NodejsFunction's command line for HANDLER_BUNDLING (HANDLER_ESBUILD_OPTIONS). */
function handlerBuild(entry: HandlerEntry): esbuild.BuildOptions {
  return {
    entryPoints: [path.join(ROOT, 'lambda', 'handlers', `${entry}.ts`)],
    outfile: path.join(DIST, 'handlers', entry, BUNDLE_FILE),
    ...HANDLER_ESBUILD_OPTIONS,
    external: [...HANDLER_ESBUILD_OPTIONS.external],
    absWorkingDir: ROOT,
    logLevel: 'warning',
  };
}

/**
 * Makes dynalite bundleable, for the simulator's in-memory use:
 * - it opens its store with `level` (LevelDB on disk, a native module that cannot be bundled) only when given
 *   a path, and the simulator always runs it in memory (memory-level, plain JavaScript): the bundle gets a
 *   `level` that says so instead of the native module;
 * - it loads each action with `require('./actions/' + action)`; esbuild bundles every file of that folder but
 *   looks them up by exact name, extension included, so the two lookups get their `.js`.
 * Either change failing to apply fails the build, never the CLI.
 */
const DYNALITE_LOOKUPS = ["require('./actions/' + action)", "require('./validations/' + action)"];
const bundleableDynalite: esbuild.Plugin = {
  name: 'bundleable-dynalite',
  setup(build) {
    build.onResolve({ filter: /^level$/ }, () => ({ path: 'level', namespace: 'in-memory-level' }));
    build.onLoad({ filter: /.*/, namespace: 'in-memory-level' }, () => ({
      loader: 'js',
      contents:
        'exports.Level = class Level { constructor() { throw new Error(' +
        '"the bundled watchdog CLI runs dynalite in memory only; a LevelDB path is not supported"); } };',
    }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]dynalite[\\/]index\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      for (const lookup of DYNALITE_LOOKUPS) {
        if (!contents.includes(lookup))
          throw new Error(`${args.path} no longer contains ${lookup}: update bundleableDynalite`);
        contents = contents.replace(lookup, `${lookup.slice(0, -1)} + '.js')`);
      }
      return { contents, loader: 'js' };
    });
  },
};

const CLI_BUILD: esbuild.BuildOptions = {
  entryPoints: [path.join(ROOT, 'lambda', 'cli', 'process.ts')],
  outfile: path.join(DIST, 'cli', 'watchdog.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: CLI_TARGET,
  // Whitespace and syntax only: identifiers stay readable in the stack trace of an unexpected error.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
  plugins: [bundleableDynalite],
  // The construct library's peers, resolved from the consumer's install: only `validate` loads them (lazily),
  // and bundling aws-cdk-lib made the CLI 59 MB. Without them installed, `validate` says what to install.
  external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'],
  absWorkingDir: ROOT,
  logLevel: 'warning',
};

function sizeOf(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

async function main(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    // Progress and compiler errors on stderr: `npm pack --json` keeps stdout for its JSON.
    stdio: ['ignore', 2, 2],
  });
  await Promise.all([
    ...HANDLER_ENTRIES.map((entry) => esbuild.build(handlerBuild(entry))),
    esbuild.build(CLI_BUILD),
  ]);
  const report = ['lib', 'lambda', 'handlers', 'cli'].map(
    (dir) => `dist/${dir} ${(sizeOf(path.join(DIST, dir)) / 1024).toFixed(0)} KiB`,
  );
  process.stderr.write(`built ${report.join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `build-package: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
