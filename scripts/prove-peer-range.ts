import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CONSUMER_ALARM_NAME,
  CONSUMER_STACK,
  createConsumerApp,
  linkFromRepo,
  packTarball,
  readTemplate,
  run,
  synthPlainJs,
  synthTypeScriptApp,
  TOOLCHAIN,
  watchdogTemplateProblems,
} from './consumer-app';

/**
 * Proves the peer dependency range (`npm run prove:peers`, needs the npm registry): for each given
 * aws-cdk-lib version (default: the oldest the range allows, and the pinned one), a fresh consumer app
 * installs it and the packed tarball from the registry with npm's own peer check (no --legacy-peer-deps),
 * then synthesizes the ts-node app and the plain JavaScript one and checks the template. Too slow for CI
 * (each aws-cdk-lib is a 24 to 39 MB download); test/package/pack.test.ts covers the pinned version offline.
 *
 *   npx tsx scripts/prove-peer-range.ts [aws-cdk-lib-version[:constructs-version] ...]
 *
 * Without a constructs version, the one this repository builds with.
 */
const PACKAGE = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The constructs version this repository builds with, for versions given without one. */
const REPO_CONSTRUCTS = (
  JSON.parse(
    readFileSync(path.join(__dirname, '..', 'node_modules', 'constructs', 'package.json'), 'utf8'),
  ) as {
    version: string;
  }
).version;

/** `^2.220.0` → `2.220.0`: the oldest version a caret range allows. */
const floorOf = (range: string): string => range.replace(/^[\^~>=]+/, '');

function defaultVersions(): string[] {
  const oldest = `${floorOf(PACKAGE.peerDependencies['aws-cdk-lib'])}:${floorOf(PACKAGE.peerDependencies.constructs)}`;
  const pinned = floorOf(PACKAGE.devDependencies['aws-cdk-lib']);
  return [oldest, pinned];
}

function bytesUnder(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function prove(tarball: string, spec: string, work: string): Promise<boolean> {
  const [cdkVersion, constructsVersion = REPO_CONSTRUCTS] = spec.split(':');
  const dir = createConsumerApp(path.join(work, `aws-cdk-lib-${cdkVersion}`));
  let started = Date.now();
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      `aws-cdk-lib@${cdkVersion}`,
      `constructs@${constructsVersion}`,
      tarball,
    ],
    { cwd: dir },
  );
  const installed = seconds(started);
  const copies = run('npm', ['ls', 'aws-cdk-lib', '--all', '--parseable'], { cwd: dir })
    .split('\n')
    .filter((line) => line.trim() !== '');
  const watchdogBytes = bytesUnder(path.join(dir, 'node_modules', 'rollback-watchdog'));
  linkFromRepo(dir, TOOLCHAIN);
  started = Date.now();
  const outdir = path.join(dir, 'cdk.out');
  await synthTypeScriptApp(dir, outdir);
  const synthesized = seconds(started);
  const problems = watchdogTemplateProblems(readTemplate(outdir, CONSUMER_STACK), {
    alarmNames: [CONSUMER_ALARM_NAME],
    handlers: 5,
  });
  const jsOut = path.join(dir, 'js.out');
  await synthPlainJs(dir, jsOut);
  problems.push(
    ...watchdogTemplateProblems(readTemplate(jsOut, 'PlainJsStack'), {
      alarmNames: ['search-latency'],
      handlers: 5,
    }),
  );
  if (copies.length !== 1)
    problems.push(`expected one aws-cdk-lib, found ${copies.length}: ${copies.join(', ')}`);
  process.stdout.write(
    `aws-cdk-lib@${cdkVersion} constructs@${constructsVersion}: ${problems.length === 0 ? 'ok' : 'FAILED'} ` +
      `(npm install ${installed}, ts-node synth ${synthesized}, rollback-watchdog installed ` +
      `${(watchdogBytes / 1e6).toFixed(1)} MB, aws-cdk-lib copies ${copies.length})\n` +
      problems.map((p) => `  - ${p}\n`).join(''),
  );
  return problems.length === 0;
}

async function main(): Promise<void> {
  const versions = process.argv.slice(2);
  const work = mkdtempSync(path.join(tmpdir(), 'watchdog-peers-'));
  try {
    const tarball = packTarball(work);
    process.stdout.write(`packed ${path.basename(tarball.file)} (${(tarball.size / 1e6).toFixed(1)} MB)\n`);
    let ok = true;
    for (const spec of versions.length > 0 ? versions : defaultVersions()) {
      try {
        ok = (await prove(tarball.file, spec, work)) && ok;
      } catch (error) {
        ok = false;
        process.stdout.write(`${spec}: FAILED\n${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
