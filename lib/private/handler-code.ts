import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The Lambda entry points, `lambda/handlers/<entry>.ts`; each becomes one bundle. */
export const HANDLER_ENTRIES = [
  'on-alarm',
  'on-deployment',
  'on-sweep',
  'on-operator',
  'on-webhook',
  'on-config-write',
  'on-audit-export',
  'on-slack-interaction',
] as const;
export type HandlerEntry = (typeof HANDLER_ENTRIES)[number];

/**
 * How every handler is bundled, in a checkout by NodejsFunction at synth and in the package by the prepack
 * build (scripts/build-package.ts): minified, for Node 22, and with nothing external, so the SDK versions the
 * tests ran against ship instead of whatever the runtime provides. The source map maps stack traces to the
 * TypeScript files and lines; it leaves out the sources' text, which stack traces never show and which would
 * nearly triple the map (5.5 MB instead of 2 MB per handler).
 */
export const HANDLER_BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  externalModules: [] as string[],
} as const;

/**
 * HANDLER_BUNDLING as esbuild options: what NodejsFunction runs for it (`esbuild --bundle <entry>
 * --target=node22 --platform=node --minify --sourcemap --sources-content=false`, no `--external`, CommonJS,
 * esbuild's default for that command line). For building a handler exactly as the stack does outside synth:
 * the package build, the cold-start benchmark and the bundle-size test. Plain values, so that lib/ needs no
 * esbuild types.
 */
export const HANDLER_ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: HANDLER_BUNDLING.target,
  minify: HANDLER_BUNDLING.minify,
  sourcemap: HANDLER_BUNDLING.sourceMap,
  sourcesContent: HANDLER_BUNDLING.sourcesContent,
  external: [...HANDLER_BUNDLING.externalModules],
} as const;

/** File name of a bundle inside its directory; the function's handler is `index.handler`. */
export const BUNDLE_FILE = 'index.js';

/**
 * Where a handler's code is: prebuilt when this module runs compiled from the installed package
 * (`dist/lib/private` → `dist/handlers/<entry>/index.js`, built by `npm pack`), else the TypeScript source
 * of a checkout (`lib/private` → `lambda/handlers/<entry>.ts`), bundled at synth.
 */
export type HandlerCode =
  | { readonly kind: 'prebuilt'; readonly directory: string }
  | { readonly kind: 'source'; readonly entry: string };

/** Finds a handler's code next to this module (see HandlerCode); throws when neither form is there. */
export function handlerCode(entry: HandlerEntry, moduleDir: string = __dirname): HandlerCode {
  const packageRoot = path.join(moduleDir, '..', '..');
  const directory = path.join(packageRoot, 'handlers', entry);
  if (existsSync(path.join(directory, BUNDLE_FILE))) return { kind: 'prebuilt', directory };
  // The installed CLI is one bundle, `dist/cli/watchdog.js`, with this module inside it (`watchdog validate`
  // builds the stack): there the bundles are one level up.
  const besideCli = path.join(moduleDir, '..', 'handlers', entry);
  if (existsSync(path.join(besideCli, BUNDLE_FILE))) return { kind: 'prebuilt', directory: besideCli };
  const source = path.join(packageRoot, 'lambda', 'handlers', `${entry}.ts`);
  if (existsSync(source)) return { kind: 'source', entry: source };
  throw new Error(
    `rollback-watchdog: the Lambda code of ${entry} is missing (neither ${path.join(directory, BUNDLE_FILE)} ` +
      `nor ${source} exists): reinstall the package, or in a checkout run \`npm ci\``,
  );
}
