import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HANDLER_ENTRIES } from '../../lib/private/handler-code';
import { ENV, METRICS_NAMESPACE, POWERTOOLS_ENV, SERVICE_NAME } from '../../lambda/contract';
import {
  CONSUMER_ALARM_NAME,
  CONSUMER_STACK,
  createConsumerApp,
  lambdaAssetDirs,
  linkFromRepo,
  packTarball,
  readTemplate,
  REPO_ROOT,
  run,
  runAsync,
  synthPlainJs,
  synthTypeScriptApp,
  TOOLCHAIN,
  watchdogTemplateProblems,
  type CfnTemplate,
  type PackedTarball,
} from '../../scripts/consumer-app';

/**
 * The package as a construct user gets it (issue 14): `npm pack` (its prepack builds dist/), installed by npm
 * into an app made by `cdk init`, synthesized through `ts-node --prefer-ts-exts` with the app's own strict
 * tsconfig, and from plain JavaScript; the CLI run from the installed package.
 *
 * Offline and fast: the tarball has no dependencies, so npm installs it with --offline; the app's
 * aws-cdk-lib, constructs and compiler are this repository's, linked in after the install (so one install
 * serves every assertion). --legacy-peer-deps stops npm from fetching the peers it cannot see yet; the real
 * peer resolution against the registry, for the oldest and the pinned aws-cdk-lib, is
 * `npm run prove:peers` (scripts/prove-peer-range.ts).
 */
const PACKAGE_JSON = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** Which bundle each watchdog function of the consumer's stack must run, by logical-id prefix. */
const FUNCTION_ENTRIES: Readonly<Record<string, string>> = {
  WatchdogAlarmHandler: 'on-alarm',
  WatchdogDeploymentHandler: 'on-deployment',
  WatchdogSweepHandler: 'on-sweep',
  WatchdogOperatorHandler: 'on-operator',
  // The read-only operator runs the operator's bundle (its readOnlyHandler export).
  WatchdogOperatorReadHandler: 'on-operator',
};

let work: string;
let tarball: PackedTarball;
let app: string;
let installed: string;
let dockerMarker: string;
let cdkOut: string;
let jsOut: string;
let template: CfnTemplate;
/** `simulate --json` of the showcase scenario by the installed package's CLI, and by this checkout's. */
let packagedSimulation: { stdout: string; stderr: string };
/** `validate --json` of the example config by the installed package's CLI. */
let packagedValidation: { stdout: string; stderr: string };
let sourceSimulation: string;
const SCENARIO = join(REPO_ROOT, 'examples', 'checkout-bad-deploy.json');
/** Compared by digest: Jest's deep equality on megabyte Buffers takes minutes. */
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const bin = (name: string) => join(app, 'node_modules', '.bin', name);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'watchdog-pack-'));
  tarball = packTarball(work);
  app = createConsumerApp(work);
  run('npm', ['install', '--offline', '--legacy-peer-deps', '--no-audit', '--no-fund', tarball.file], {
    cwd: app,
  });
  installed = join(app, 'node_modules', 'rollback-watchdog');
  linkFromRepo(app, ['aws-cdk-lib', 'constructs', ...TOOLCHAIN]);
  // A `docker` that records being called: synth must never reach for it.
  const fakeBin = join(work, 'bin');
  dockerMarker = join(work, 'docker-was-called');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'docker'), `#!/bin/sh\ntouch ${dockerMarker}\nexit 1\n`);
  chmodSync(join(fakeBin, 'docker'), 0o755);
  const path = `${fakeBin}:${process.env.PATH ?? ''}`;
  cdkOut = join(app, 'cdk.out');
  jsOut = join(app, 'js.out');
  // Independent processes, run side by side. The TypeScript app keeps aws-cdk-lib's default synth-time
  // validation (as a construct user has it); the plain JavaScript one skips it, it adds nothing there.
  const [, , packaged, source, validated] = await Promise.all([
    synthTypeScriptApp(app, cdkOut, { PATH: path }),
    synthPlainJs(app, jsOut, { PATH: path, CDK_VALIDATION: 'false' }),
    runAsync(bin('rollback-watchdog'), ['simulate', SCENARIO, '--json'], { cwd: app }),
    runAsync(process.execPath, [join(REPO_ROOT, 'bin', 'watchdog.js'), 'simulate', SCENARIO, '--json'], {
      cwd: REPO_ROOT,
    }),
    // validate builds the stack: the installed CLI loads the app's own aws-cdk-lib (a peer, not bundled).
    runAsync(bin('rollback-watchdog'), ['validate', join(REPO_ROOT, 'watchdog.config.json'), '--json'], {
      cwd: app,
    }),
  ]);
  packagedValidation = validated;
  packagedSimulation = packaged;
  sourceSimulation = source.stdout;
  template = readTemplate(cdkOut, CONSUMER_STACK);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('ships only the compiled library, the prebuilt Lambda bundles, the CLI and the README', () => {
    const allowed =
      /^(README\.md|package\.json|bin\/watchdog\.js|dist\/lib\/.+\.(js|d\.ts)|dist\/lambda\/contract\/.+\.(js|d\.ts)|dist\/handlers\/[a-z-]+\/index\.js(\.map)?|dist\/cli\/watchdog\.js(\.map)?)$/;
    expect(tarball.files.filter((file) => !allowed.test(file))).toEqual([]);
    expect(tarball.files).toEqual(
      expect.arrayContaining([
        'README.md',
        'bin/watchdog.js',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/cli/watchdog.js',
        ...HANDLER_ENTRIES.map((entry) => `dist/handlers/${entry}/index.js`),
      ]),
    );
    // No TypeScript source: consumers' compilers only ever see declarations.
    expect(tarball.files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs with no dependencies of its own, aws-cdk-lib and constructs as peers, main and types built', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, any>;
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.peerDependencies as object).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    expect(existsSync(join(installed, manifest.main as string))).toBe(true);
    expect(existsSync(join(installed, manifest.types as string))).toBe(true);
    expect(manifest.bin).toEqual({ 'rollback-watchdog': 'bin/watchdog.js', watchdog: 'bin/watchdog.js' });
    // What npm put in the app: the package and its bin links, nothing else.
    expect(readFileSync(join(app, 'node_modules', '.package-lock.json'), 'utf8')).not.toMatch(
      /"node_modules\/(?!rollback-watchdog")/,
    );
  });
});

describe('a cdk init TypeScript app (ts-node --prefer-ts-exts)', () => {
  it('synthesizes RollbackWatchdog with RollbackTarget.ecsService of its own service and alarm', () => {
    expect(watchdogTemplateProblems(template, { alarmNames: [CONSUMER_ALARM_NAME], handlers: 5 })).toEqual(
      [],
    );
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const patterns = rules.map((r) => JSON.stringify(r.Properties?.EventPattern ?? null));
    const logicalId = (prefix: string) => Object.keys(template.Resources).find((id) => id.startsWith(prefix));
    // The alarm construct and the service of the app's own aws-cdk-lib, as references.
    expect(patterns.find((p) => p.includes('CloudWatch Alarm State Change'))).toContain(
      `{"Ref":"${logicalId('Errors')}"}`,
    );
    const deployments = patterns.find((p) => p.includes('ECS Deployment State Change'));
    expect(deployments).toContain(`{"Ref":"${logicalId('Cluster')}"}`);
    expect(deployments).toContain(`"Fn::GetAtt":["${logicalId('CheckoutService')}","Name"]`);
  });

  it("adds no finding to aws-cdk-lib's synth-time validation report", () => {
    const report = JSON.parse(readFileSync(join(cdkOut, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: Record<string, unknown>[] }[];
    };
    const paths = report.pluginReports.flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        [
          ...((violation.violatingConstructs as { constructPath?: string }[] | undefined) ?? []),
          ...((violation.violatingResources as { constructPath?: string }[] | undefined) ?? []),
        ].map((where) => `${String(violation.ruleName)} at ${where.constructPath ?? '?'}`),
      ),
    );
    // The report is real: it holds aws-cdk-lib's own advice about the app's service...
    expect(paths.some((p) => p.endsWith(`at ${CONSUMER_STACK}/Checkout`))).toBe(true);
    // ...and nothing about the watchdog.
    expect(paths.filter((p) => p.includes(`${CONSUMER_STACK}/Watchdog`))).toEqual([]);
  });

  it("deploys the package's prebuilt bundles byte for byte: no bundling at synth, never Docker", () => {
    const assets = lambdaAssetDirs(cdkOut, CONSUMER_STACK);
    for (const [prefix, entry] of Object.entries(FUNCTION_ENTRIES)) {
      const id = Object.keys(assets).find((logical) => logical.startsWith(prefix));
      expect(id).toBeDefined();
      const asset = assets[id!];
      expect({ id, bundle: sha256(join(asset, 'index.js')) }).toEqual({
        id,
        bundle: sha256(join(installed, 'dist', 'handlers', entry, 'index.js')),
      });
      expect(existsSync(join(asset, 'index.js.map'))).toBe(true);
    }
    expect(existsSync(dockerMarker)).toBe(false);
    // Nothing in the app could have bundled: there is no esbuild to find.
    expect(() => require.resolve('esbuild', { paths: [app] })).toThrow();
  });

  it('ships bundles that load on their own: the SDK and every other dependency inside', () => {
    // Each bundle copied to a directory with no node_modules anywhere above it, loaded with the
    // function's environment; Lambda's runtime offers nothing more.
    const alone = mkdtempSync(join(tmpdir(), 'watchdog-bundle-alone-'));
    try {
      const files = HANDLER_ENTRIES.map((entry) => {
        const file = join(alone, `${entry}.js`);
        copyFileSync(join(installed, 'dist', 'handlers', entry, 'index.js'), file);
        return file;
      });
      const script = `for (const f of ${JSON.stringify(files)}) { const m = require(f); if (typeof m.handler !== 'function') throw new Error(f + ': no handler export'); } console.log('loaded', ${files.length});`;
      const result = spawnSync(process.execPath, ['-e', script], {
        cwd: alone,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
          // Lambda runs Node 22; this machine's Node 20 would make the SDK print a notice about its support.
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          [ENV.tableName]: 'Table',
          [ENV.topicArn]: 'arn:aws:sns:us-east-1:123456789012:Topic',
          [ENV.stackName]: 'ConsumerStack',
          [ENV.configVersion]: '0123456789abcdef',
          [ENV.webhookChannel]: 'slack',
          [ENV.slackSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf',
          [ENV.slackApprovers]: 'U0123ABCD',
          // Lambda sets it for every function; the Slack interaction endpoint invokes itself by it.
          AWS_LAMBDA_FUNCTION_NAME: 'ConsumerStack-SlackInteraction',
          [ENV.auditExportBucket]: 'audit-bucket',
          [ENV.auditExportPrefix]: 'audit/',
          [ENV.auditExportBucketOwner]: '123456789012',
          [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
          [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
        },
      });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(`loaded ${HANDLER_ENTRIES.length}`);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });
});

describe('plain JavaScript', () => {
  it('requires the package and synthesizes a watchdog for a service given by name', () => {
    expect(
      watchdogTemplateProblems(readTemplate(jsOut, 'PlainJsStack'), {
        alarmNames: ['search-latency'],
        handlers: 5,
      }),
    ).toEqual([]);
  });
});

describe('the CLI of the installed package', () => {
  it('answers --version under both names, without tsx', () => {
    for (const name of ['rollback-watchdog', 'watchdog']) {
      const result = spawnSync(bin(name), ['--version'], { cwd: app, encoding: 'utf8' });
      expect({ name, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
        name,
        status: 0,
        stdout: `${PACKAGE_JSON.version}\n`,
        stderr: '',
      });
    }
    expect(() => require.resolve('tsx', { paths: [app] })).toThrow();
  });

  it("validates a config with the app's aws-cdk-lib, which the CLI bundle leaves out", () => {
    expect(JSON.parse(packagedValidation.stdout)).toMatchObject({ valid: true });
    const cli = readFileSync(join(installed, 'dist', 'cli', 'watchdog.js'), 'utf8');
    expect(cli).toMatch(/require\("aws-cdk-lib"\)/);
    // aws-cdk-lib bundled in made it 59 MB; the SDK, dynalite and zod are what remains.
    expect(Buffer.byteLength(cli)).toBeLessThan(20 * 1024 * 1024);
  });

  it('simulates a scenario byte-identically to the sources, dynalite and all inside its bundle', () => {
    expect(packagedSimulation.stderr).toBe('');
    expect(JSON.parse(packagedSimulation.stdout)).toMatchObject({ expect: { passed: true } });
    expect(packagedSimulation.stdout).toBe(sourceSimulation);
  });
});
