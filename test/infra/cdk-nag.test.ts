import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { buildApp } from '../../bin/app';
import type { WatchdogStack } from '../../lib';
import { EXAMPLE_CONFIG_FILE, appWithoutBundling } from './helpers';

interface ValidationReport {
  readonly pluginReports: {
    readonly pluginName: string;
    readonly violations?: { readonly ruleName: string }[];
  }[];
}

/**
 * cdk-nag 3 runs as CDK validation plugins: at synth, findings that are not acknowledged fail synth (errors)
 * or are printed (warnings), and both are written to validation-report.json in the cloud assembly.
 */
describe('cdk-nag AwsSolutions and Serverless packs on the app from the example config', () => {
  let app: App;
  let stack: WatchdogStack;
  let assemblyDir: string;

  beforeAll(() => {
    app = appWithoutBundling({ config: EXAMPLE_CONFIG_FILE });
    [stack] = buildApp(app);
    assemblyDir = app.synth().directory;
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
  ])('%s: no error or warning left on any resource of the stack', (_name, pack) => {
    const { violations } = pack().validateScope(stack);
    expect(
      violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });
});
