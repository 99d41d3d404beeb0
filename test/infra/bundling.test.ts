import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { WatchdogStack } from '../../lib';
import { exampleConfig } from './helpers';

/**
 * The one test that bundles the handlers for real, with the locally installed esbuild (never Docker), the
 * way `cdk synth` does. Every other infra test skips bundling.
 */
describe('handler bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'watchdog-bundle-'));
  let stack: WatchdogStack;

  beforeAll(() => {
    const app = new App({ outdir });
    // With the audit export, so that its exporter is bundled too.
    stack = new WatchdogStack(app, 'RollbackWatchdog', { config: { ...exampleConfig(), auditExport: {} } });
    app.synth();
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const bundleOf = (fn: IFunction) => join(outdir, (fn.node.findChild('Code') as Asset).assetPath);

  // Each bundle carries the SDK client it calls: the DynamoDB one for the handlers on the table, the Secrets
  // Manager one for the Slack notifier, the S3 one for the config writer and the audit exporter.
  it.each([
    ['alarm handler', () => stack.watchdog.alarmHandler, 'DynamoDB_20120810'],
    ['deployment handler', () => stack.watchdog.deploymentHandler, 'DynamoDB_20120810'],
    ['sweep', () => stack.watchdog.sweepHandler, 'DynamoDB_20120810'],
    ['operator', () => stack.watchdog.operatorFunction, 'DynamoDB_20120810'],
    ['Slack notifier', () => stack.watchdog.slackNotifier!, 'secretsmanager'],
    ['config writer', () => stack.watchdog.configWriterFunction, 'AmazonS3'],
    ['audit exporter', () => stack.watchdog.auditExporter!, 'AmazonS3'],
  ])('%s: the asset holds index.js and its source map, with the AWS SDK bundled in', (_name, fn, client) => {
    const bundle = bundleOf(fn());
    const code = readFileSync(join(bundle, 'index.js'), 'utf8');
    expect(existsSync(join(bundle, 'index.js.map'))).toBe(true);
    expect(code).toMatch(/exports|module\.exports/);
    // externalModules: [] ships the tested SDK clients instead of leaving them to the runtime.
    expect(code).not.toMatch(/require\("@aws-sdk\/(client|lib)-/);
    expect(code).toContain(client);
  });
});
