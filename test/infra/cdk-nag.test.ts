import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '../../bin/app';
import type { WatchdogStack } from '../../lib';
import { tempDir } from '../unit/cli/support';
import { EXAMPLE_CONFIG_FILE, appWithoutBundling } from './helpers';

interface ValidationReport {
  readonly pluginReports: {
    readonly pluginName: string;
    readonly violations?: { readonly ruleName: string }[];
  }[];
}

/**
 * The example config in three regions: one stack each, with the version quarantine (its bus, its forwarding
 * role and rules, the rules that deliver to the alarm handler).
 */
function multiRegionConfigFile(): string {
  const example = JSON.parse(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
  return join(tempDir({ 'watchdog.config.json': { ...example, regions } }), 'watchdog.config.json');
}

/**
 * cdk-nag 3 runs as CDK validation plugins: at synth, findings that are not acknowledged fail synth (errors)
 * or are printed (warnings), and both are written to validation-report.json in the cloud assembly.
 */
describe.each([
  ['the example config', () => EXAMPLE_CONFIG_FILE, 0],
  ['the example config in three regions', multiRegionConfigFile, 3],
])('cdk-nag AwsSolutions and Serverless packs on the app from %s', (_name, configFile, versionBuses) => {
  let app: App;
  let stacks: WatchdogStack[];
  let assemblyDir: string;

  beforeAll(() => {
    app = appWithoutBundling({ config: configFile() });
    stacks = buildApp(app);
    assemblyDir = app.synth().directory;
  });

  it('checks the stacks it is meant to: one per region, each with a version bus when there are several', () => {
    expect(stacks).toHaveLength(Math.max(versionBuses, 1));
    expect(stacks.filter((s) => s.watchdog.versionBus !== undefined)).toHaveLength(versionBuses);
  });

  it('synthesizes with both packs registered and reports no unacknowledged finding', () => {
    const reportFile = join(assemblyDir, 'validation-report.json');
    expect(existsSync(reportFile)).toBe(true);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as ValidationReport;
    const findings = report.pluginReports
      .filter((r) => r.pluginName === 'AwsSolutions' || r.pluginName === 'Serverless')
      .flatMap((r) => (r.violations ?? []).map((v) => `${r.pluginName}: ${v.ruleName}`));
    expect(findings).toEqual([]);
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('%s: no error or warning left on any resource of the stacks', (_name, pack) => {
    for (const stack of stacks) {
      const { violations } = pack().validateScope(stack);
      expect(
        violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
      ).toEqual([]);
    }
  });
});
