import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../bin/app';
import { parseWatchdogConfig } from '../../lambda/boundary/config-schema';
import { partitionOf, SUPPORTED_REGIONS } from '../../lambda/contract';
import { WatchdogStack, watchdogStacks } from '../../lib';
import { INSTALL_HINT, isCi, onPath, PYTHON_TOOLS } from '../support/python-tools';
import { EXAMPLE_CONFIG_FILE, REPO_ROOT } from './helpers';

/**
 * Every template linted by AWS's CloudFormation linter (cfn-lint), for every region the README supports:
 * the default config as `cdk synth` builds it, the largest fleet the README promises for one stack, the
 * audit export (to a created bucket and to one's own), and the construct's optional AWS Chatbot channel
 * (outside the China partition, where validation refuses it).
 * Zero findings except the warnings below, which CDK itself always produces.
 *
 * cfn-lint's IAM rules skip `"*"` and Fn::Join ARNs, so its silence on IAM is not a pass: least privilege
 * stays checked by security.test.ts.
 */

/**
 * The largest fleets one stack is promised to hold (README, "Fleet size"): with grants by pattern, and with
 * the default exact-ARN grants. Change them with the README.
 */
export const LINT_FLEET_SIZE = 1000;
export const LINT_EXACT_FLEET_SIZE = 140;

/** Findings that CDK's own output always has; each must say why it is harmless. */
const IGNORED: Readonly<Record<string, string>> = {
  // CDK adds an explicit DependsOn from each function to its role's default policy, next to the GetAtt of
  // the role itself: the policy must exist before the function's first invocation, which GetAtt alone
  // does not order.
  W3005: 'DependsOn already enforced by a Ref or GetAtt (CDK orders role policies before functions)',
};

interface Finding {
  readonly Rule: { readonly Id: string };
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path?: readonly (string | number)[] };
}

const cdkContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> })
    .context ?? {};

/** An app as `cdk synth` runs it (cdk.json's feature flags), without bundling: cfn-lint reads templates only. */
const lintApp = (context: Record<string, unknown> = {}) =>
  new App({ context: { ...cdkContext(), 'aws:cdk:bundling-stacks': [], ...context } });

/**
 * N targets, one in five a CodeDeploy group, each with alarms of its own and names of realistic length; with
 * `patterns`, the grants the config opts into for large fleets (by cluster, application and alarm-name pattern).
 */
function fleetConfig(size: number, patterns = false) {
  const parsed = parseWatchdogConfig({
    ...(patterns
      ? { permissions: { ecs: 'clusters', codeDeploy: 'applications', alarmNamePatterns: ['service-*'] } }
      : {}),
    targets: Array.from({ length: size }, (_, i) => {
      const name = `service-${String(i).padStart(4, '0')}`;
      return i % 5 === 4
        ? {
            id: name,
            type: 'codedeploy',
            application: `${name}-app`,
            deploymentGroup: `${name}-production`,
            alarms: [`${name}-errors`],
          }
        : {
            id: name,
            type: 'ecs-service',
            cluster: 'production',
            service: `${name}-api`,
            alarms: [`${name}-api-http-5xx-rate`, `${name}-api-p99-latency`],
          };
    }),
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

/** Every template of a synthesized cloud assembly, nested stacks included. */
function templatesOf(app: App, stackPrefix = ''): string[] {
  const dir = app.synth().directory;
  return readdirSync(dir)
    .filter((f) => f.startsWith(stackPrefix) && f.endsWith('.template.json'))
    .map((f) => join(dir, f));
}

/** The regions the README's "Regions" section lists, in backticks. */
function readmeRegions(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = /\n### Regions\n([\s\S]*?)\n#/.exec(readme)?.[1] ?? '';
  const supported = /Supported:([\s\S]*?)\n\n/.exec(section)?.[1] ?? '';
  return [...supported.matchAll(/`([a-z]{2}(?:-[a-z]+)+-\d)`/g)].map((m) => m[1]);
}

function cfnLint(
  command: string,
  templates: readonly string[],
  regions: readonly string[] = SUPPORTED_REGIONS,
): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['--format', 'json', '--regions', ...regions, '--', ...templates], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      // cfn-lint exits non-zero when it finds something; only an unreadable answer is a failure here.
      try {
        resolve(JSON.parse(stdout || '[]') as Finding[]);
      } catch {
        reject(new Error(`cfn-lint exited ${code} without a JSON report:\n${stdout}\n${stderr}`));
      }
    });
  });
}

const describeFinding = (f: Finding) =>
  `${f.Rule.Id} ${f.Level} ${f.Filename.split('/').pop()} ${(f.Location.Path ?? []).join('/')}: ${f.Message}`;

const command = onPath(PYTHON_TOOLS.cfnLint);

describe('cfn-lint on every template', () => {
  if (!command) {
    it('cannot run without cfn-lint', () => {
      const line = `cfn-lint is not on PATH: the CloudFormation lint (and npm run test:emulator) could not run. Install both with: ${INSTALL_HINT}`;
      // CI must never pass a suite it silently skipped.
      if (isCi()) throw new Error(line);
      process.stderr.write(`${line}\n`);
    });
    return;
  }

  it('lints the regions the README lists as supported', () => {
    expect(readmeRegions()).toEqual([...SUPPORTED_REGIONS]);
  });

  it(`finds nothing but CDK's known warnings in the default config, a ${LINT_FLEET_SIZE}-target fleet (grants by pattern), a ${LINT_EXACT_FLEET_SIZE}-target fleet (exact grants), the audit export and a Chatbot channel, in every supported region`, async () => {
    const defaultApp = lintApp({ config: EXAMPLE_CONFIG_FILE });
    buildApp(defaultApp, {});
    const defaultTemplates = templatesOf(defaultApp);
    // cfn-lint runs in its own process: the default template is linted while the fleet synthesizes.
    const defaultFindings = cfnLint(command, defaultTemplates);
    const fleetApp = lintApp();
    new WatchdogStack(fleetApp, 'Fleet', { config: fleetConfig(LINT_FLEET_SIZE, true) });
    new WatchdogStack(fleetApp, 'Exact', { config: fleetConfig(LINT_EXACT_FLEET_SIZE) });
    // The construct's optional AWS Chatbot channel, which the validation refuses in the China partition.
    new WatchdogStack(fleetApp, 'Chatbot', {
      config: fleetConfig(1),
      chatbotSlack: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
    });
    // The audit export, to a bucket the stack creates and to a bucket of one's own with its KMS key.
    new WatchdogStack(fleetApp, 'AuditExport', {
      config: {
        ...fleetConfig(1),
        defaults: { auditRetentionDays: 400 },
        auditExport: { retentionDays: 730 },
      },
    });
    new WatchdogStack(fleetApp, 'OwnAuditBucket', {
      config: {
        ...fleetConfig(1),
        auditExport: {
          bucketName: 'central-audit',
          bucketOwner: '210987654321',
          kmsKeyArn: 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          prefix: 'watchdog/prod/',
        },
      },
    });
    // Slack's buttons: the interaction endpoint (a Function URL with AuthType NONE) and its self-invoke policy.
    new WatchdogStack(fleetApp, 'SlackButtons', {
      config: {
        ...fleetConfig(1),
        notifications: {
          slack: { webhookSecretName: 'watchdog/slack', interactive: true, approvers: ['U0123ABCD'] },
        },
      },
    });
    const fleetTemplates = [
      ...templatesOf(fleetApp, 'Fleet'),
      ...templatesOf(fleetApp, 'Exact'),
      ...templatesOf(fleetApp, 'AuditExport'),
      ...templatesOf(fleetApp, 'OwnAuditBucket'),
      ...templatesOf(fleetApp, 'SlackButtons'),
    ];
    const chatbotTemplates = templatesOf(fleetApp, 'Chatbot');
    expect([...defaultTemplates, ...fleetTemplates, ...chatbotTemplates]).toHaveLength(7);

    const findings = (
      await Promise.all([
        defaultFindings,
        cfnLint(command, fleetTemplates),
        cfnLint(
          command,
          chatbotTemplates,
          SUPPORTED_REGIONS.filter((r) => partitionOf(r) !== 'aws-cn'),
        ),
      ])
    ).flat();

    const unexpected = findings.filter((f) => !(f.Level === 'Warning' && f.Rule.Id in IGNORED));
    expect(unexpected.map(describeFinding)).toEqual([]);
  }, 600_000);

  it("finds nothing but CDK's known warnings in the stacks of a seven-region config (version quarantine, forwarding split in two rules), each linted for its region", async () => {
    const regions = [
      'us-east-1',
      'us-west-2',
      'eu-west-1',
      'eu-central-1',
      'ap-south-1',
      'ap-southeast-2',
      'sa-east-1',
    ];
    const app = lintApp();
    const config = fleetConfig(2);
    const stacks = watchdogStacks(app, 'MultiRegion', { config: { ...config, regions } });
    const dir = app.synth().directory;
    const templates = stacks.map((s) => join(dir, s.templateFile));
    expect(stacks.map((s) => s.region)).toEqual(regions);
    for (const stack of stacks) expect(stack.watchdog.versionBus).toBeDefined();

    const findings = (
      await Promise.all(stacks.map((s, i) => cfnLint(command, [templates[i]], [s.region])))
    ).flat();

    const unexpected = findings.filter((f) => !(f.Level === 'Warning' && f.Rule.Id in IGNORED));
    expect(unexpected.map(describeFinding)).toEqual([]);
  }, 600_000);
});
