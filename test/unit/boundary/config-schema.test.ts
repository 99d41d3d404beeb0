import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonPath } from '../../../lambda/boundary/json-path';
import {
  parseWatchdogConfig,
  readConfigFile,
  resolveRuntimeConfig,
} from '../../../lambda/boundary/config-schema';
import {
  DEFAULT_MAX_EVENT_AGE_MINUTES,
  DEFAULT_POLICY,
  DEFAULT_SWEEP_INTERVAL_MINUTES,
  RUNTIME_CONFIG_SCHEMA_VERSION,
  type WatchdogConfig,
} from '../../../lambda/contract';

const env = { account: '123456789012', region: 'us-east-1' };

const checkout = {
  id: 'checkout',
  type: 'ecs-service',
  cluster: 'prod',
  service: 'checkout',
  alarms: ['checkout-5xx', 'checkout-p99'],
};

const payments = {
  id: 'payments',
  type: 'codedeploy',
  application: 'payments',
  deploymentGroup: 'payments-prod',
  alarms: ['payments-errors'],
};

function parsed(input: unknown): WatchdogConfig {
  const result = parseWatchdogConfig(input);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.join('\n')}`);
  return result.config;
}

function problemsOf(input: unknown): string[] {
  const result = parseWatchdogConfig(input);
  if (result.ok) throw new Error('expected problems, the config was accepted');
  return result.problems;
}

describe('parseWatchdogConfig: valid configs', () => {
  it('accepts the contract example (without approval mode, not available yet) unchanged', () => {
    const input = {
      defaults: {
        mode: 'auto',
        cooldownMinutes: 15,
        bakeMinutes: 10,
        watchWindowMinutes: 60,
        maxRollbacks: { count: 2, windowMinutes: 60 },
        approvalTimeoutMinutes: 15,
        maxEventAgeMinutes: 30,
        sweepIntervalMinutes: 10,
      },
      targets: [
        checkout,
        { ...payments, mode: 'dry-run', cooldownMinutes: 30 },
        { ...checkout, id: 'search', service: 'search', mode: 'dry-run', cooldownMinutes: 30 },
      ],
      notifications: { emails: ['oncall@example.com'], slackWebhookSecretName: 'watchdog/slack' },
    };
    expect(parsed(input)).toEqual(input);
  });

  it('accepts a minimal config: one target, nothing else', () => {
    expect(parsed({ targets: [checkout] })).toEqual({ targets: [checkout] });
    expect(parsed({ targets: [payments] })).toEqual({ targets: [payments] });
  });

  it('accepts every CodeDeploy target field and policy override', () => {
    const target = {
      ...payments,
      mode: 'dry-run',
      cooldownMinutes: 30,
      bakeMinutes: 20,
      watchWindowMinutes: 90,
      maxRollbacks: { count: 1, windowMinutes: 120 },
      approvalTimeoutMinutes: 5,
    };
    expect(parsed({ targets: [target] })).toEqual({ targets: [target] });
  });

  it.each([1, 5, 1440])('accepts defaults.sweepIntervalMinutes %d', (minutes) => {
    expect(parsed({ defaults: { sweepIntervalMinutes: minutes }, targets: [checkout] }).defaults).toEqual({
      sweepIntervalMinutes: minutes,
    });
  });

  it('accepts the example watchdog.config.json at the repository root', () => {
    expect(readConfigFile(join(__dirname, '..', '..', '..', 'watchdog.config.json')).ok).toBe(true);
  });
});

describe('resolveRuntimeConfig', () => {
  it('applies DEFAULT_POLICY when the config sets nothing', () => {
    expect(resolveRuntimeConfig(parsed({ targets: [checkout] }), env)).toEqual({
      schemaVersion: RUNTIME_CONFIG_SCHEMA_VERSION,
      account: env.account,
      region: env.region,
      maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
      sweepIntervalMinutes: DEFAULT_SWEEP_INTERVAL_MINUTES,
      targets: [
        {
          id: 'checkout',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'checkout',
          alarms: ['checkout-5xx', 'checkout-p99'],
          policy: DEFAULT_POLICY,
        },
      ],
    });
  });

  it('layers DEFAULT_POLICY, then defaults, then the target’s own fields', () => {
    const config = parsed({
      defaults: { cooldownMinutes: 20, bakeMinutes: 5, mode: 'dry-run', maxEventAgeMinutes: 15 },
      targets: [
        { ...checkout, cooldownMinutes: 45, maxRollbacks: { count: 1, windowMinutes: 120 } },
        { ...checkout, id: 'search', service: 'search', mode: 'auto' },
      ],
    });
    const runtime = resolveRuntimeConfig(config, env);
    expect(runtime.maxEventAgeMinutes).toBe(15);
    expect(runtime.sweepIntervalMinutes).toBe(DEFAULT_SWEEP_INTERVAL_MINUTES);
    expect(runtime.targets.map((t) => t.policy)).toEqual([
      {
        ...DEFAULT_POLICY,
        mode: 'dry-run',
        cooldownMinutes: 45,
        bakeMinutes: 5,
        maxRollbacks: { count: 1, windowMinutes: 120 },
      },
      { ...DEFAULT_POLICY, mode: 'auto', cooldownMinutes: 20, bakeMinutes: 5 },
    ]);
  });

  it('resolves a CodeDeploy target by application and deployment group, and the sweep interval', () => {
    const config = parsed({
      defaults: { cooldownMinutes: 20, sweepIntervalMinutes: 15 },
      targets: [{ ...payments, bakeMinutes: 30 }],
    });
    const runtime = resolveRuntimeConfig(config, env);
    expect(runtime.sweepIntervalMinutes).toBe(15);
    expect(runtime.targets).toEqual([
      {
        id: 'payments',
        type: 'codedeploy',
        application: 'payments',
        deploymentGroup: 'payments-prod',
        alarms: ['payments-errors'],
        policy: { ...DEFAULT_POLICY, cooldownMinutes: 20, bakeMinutes: 30 },
      },
    ]);
  });
});

describe('parseWatchdogConfig: problems (RELIABILITY.md #24)', () => {
  it('rejects an unknown key, naming its path and the keys that are valid there', () => {
    expect(problemsOf({ targets: [{ ...checkout, coolDownMinutes: 5 }] })).toEqual([
      expect.stringMatching(
        /^\$\.targets\[0\]\.coolDownMinutes: unknown key; valid keys here are .*"cooldownMinutes"/,
      ),
    ]);
    expect(problemsOf({ targets: [checkout], notify: {} })).toEqual([
      '$.notify: unknown key; valid keys here are "defaults", "targets", "notifications"',
    ]);
  });

  it('rejects a duplicate target id, naming both indexes', () => {
    expect(problemsOf({ targets: [checkout, { ...checkout, service: 'other' }] })).toEqual([
      '$.targets[1].id: duplicate target id "checkout" (also $.targets[0].id); ids must be unique',
    ]);
  });

  it('rejects an unknown target type with the types that exist', () => {
    expect(problemsOf({ targets: [{ ...checkout, type: 'lambda-alias' }] })).toEqual([
      '$.targets[0].type: must be one of "ecs-service", "codedeploy" (got "lambda-alias")',
    ]);
  });

  it('rejects a negative cooldown with the valid range and the value given', () => {
    expect(problemsOf({ targets: [checkout, { ...checkout, id: 'b', cooldownMinutes: -5 }] })).toEqual([
      '$.targets[1].cooldownMinutes: must be a whole number >= 0 (got -5)',
    ]);
  });

  it('lists every problem of a config in one result, each with its JSON path', () => {
    const problems = problemsOf({
      defaults: { cooldownMinutes: -1, mode: 'approval', maxRollbacks: { count: 0, windowMinutes: 0 } },
      targets: [
        { ...checkout, id: 'Checkout', alarms: [] },
        { ...checkout, id: 'checkout-2', typo: true },
        { ...checkout, id: 'checkout-2', type: 'lambda' },
        {
          id: 'payments',
          type: 'codedeploy',
          application: 'payments',
          deploymentGroup: 'prod',
          alarms: ['e'],
        },
        { ...checkout, id: 'search', bakeMinutes: 2.5, watchWindowMinutes: 'soon' },
      ],
      notifications: { emails: ['not-an-address'] },
    });
    expect(problems).toEqual([
      '$.defaults.cooldownMinutes: must be a whole number >= 0 (got -1)',
      '$.defaults.maxRollbacks.count: must be a whole number >= 1 (got 0)',
      '$.defaults.maxRollbacks.windowMinutes: must be a whole number > 0 (got 0)',
      '$.defaults.mode: approval mode is not available yet; use auto or dry-run',
      '$.targets[0].id: must be lowercase letters, digits and "-" only ([a-z0-9-]+) (got "Checkout")',
      '$.targets[0].alarms: must list at least one alarm name (got [])',
      expect.stringMatching(/^\$\.targets\[1\]\.typo: unknown key/),
      '$.targets[2].type: must be one of "ecs-service", "codedeploy" (got "lambda")',
      '$.targets[2].id: duplicate target id "checkout-2" (also $.targets[1].id); ids must be unique',
      '$.targets[4].bakeMinutes: must be a whole number >= 0 (got 2.5)',
      '$.targets[4].watchWindowMinutes: must be a whole number >= 0 (got "soon")',
      '$.notifications.emails[0]: must be an email address (got "not-an-address")',
    ]);
  });

  it('rejects approval mode on a target, with what to use instead', () => {
    expect(problemsOf({ targets: [{ ...checkout, mode: 'approval' }] })).toEqual([
      '$.targets[0].mode: approval mode is not available yet; use auto or dry-run',
    ]);
  });

  it('rejects an unknown mode listing only the modes that are available', () => {
    expect(problemsOf({ targets: [{ ...checkout, mode: 'yolo' }] })).toEqual([
      '$.targets[0].mode: must be one of "auto", "dry-run" (got "yolo")',
    ]);
  });

  it('rejects missing required fields and malformed names', () => {
    expect(
      problemsOf({ targets: [{ id: 'x', type: 'ecs-service', cluster: 'prod/eu', alarms: [''] }] }),
    ).toEqual([
      '$.targets[0].cluster: must be an ECS cluster name: 1-255 letters, digits, "-" or "_" (got "prod/eu")',
      '$.targets[0].service: must be an ECS service name (missing)',
      '$.targets[0].alarms[0]: must be a non-empty CloudWatch alarm name (got "")',
    ]);
  });

  it('rejects CodeDeploy targets with ECS fields, missing names or names CodeDeploy would refuse', () => {
    expect(
      problemsOf({
        targets: [
          { ...payments, cluster: 'prod' },
          { id: 'a', type: 'codedeploy', application: 'payments', alarms: ['e'] },
          { ...payments, id: 'b', application: '', deploymentGroup: 'g'.repeat(101) },
        ],
      }),
    ).toEqual([
      '$.targets[0].cluster: unknown key; valid keys here are "id", "type", "application", "deploymentGroup", ' +
        '"alarms", "mode", "cooldownMinutes", "bakeMinutes", "watchWindowMinutes", "maxRollbacks", ' +
        '"approvalTimeoutMinutes"',
      '$.targets[1].deploymentGroup: must be a CodeDeploy deployment group name (missing)',
      '$.targets[2].application: must be a non-empty CodeDeploy application name (got "")',
      expect.stringMatching(
        /^\$\.targets\[2\]\.deploymentGroup: must be a CodeDeploy deployment group name of at most 100 characters \(got "g+\.\.\.\)$/,
      ),
    ]);
  });

  it('rejects approval mode on a CodeDeploy target too', () => {
    expect(problemsOf({ targets: [{ ...payments, mode: 'approval' }] })).toEqual([
      '$.targets[0].mode: approval mode is not available yet; use auto or dry-run',
    ]);
  });

  it.each([0, 1441, 2.5, '5', -1])(
    'rejects defaults.sweepIntervalMinutes %p with the valid range',
    (value) => {
      expect(problemsOf({ defaults: { sweepIntervalMinutes: value }, targets: [checkout] })).toEqual([
        `$.defaults.sweepIntervalMinutes: must be a whole number of minutes from 1 to 1440 (got ${JSON.stringify(value)})`,
      ]);
    },
  );

  it('rejects sweepIntervalMinutes on a target: the sweep is watchdog-wide', () => {
    expect(problemsOf({ targets: [{ ...checkout, sweepIntervalMinutes: 5 }] })).toEqual([
      expect.stringMatching(/^\$\.targets\[0\]\.sweepIntervalMinutes: unknown key; valid keys here are /),
    ]);
  });

  it('rejects a duplicate alarm within one target', () => {
    expect(problemsOf({ targets: [{ ...checkout, alarms: ['a', 'b', 'a'] }] })).toEqual([
      '$.targets[0].alarms[2]: duplicate alarm "a" (also $.targets[0].alarms[0])',
    ]);
  });

  it('rejects input that is not a config object at all', () => {
    expect(problemsOf(null)).toEqual(['$: must be a JSON object with a "targets" list (got null)']);
    expect(problemsOf({})).toEqual(['$.targets: must be a list of targets (missing)']);
    expect(problemsOf({ targets: [] })).toEqual(['$.targets: must list at least one target (got [])']);
  });
});

describe('readConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'watchdog-config-'));

  it('reports a missing file as a problem', () => {
    const file = join(dir, 'absent.json');
    expect(readConfigFile(file)).toEqual({ ok: false, problems: [`${file}: file not found`] });
  });

  it('reports invalid JSON as a problem', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "targets": [ }');
    expect(readConfigFile(file)).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`)),
      ],
    });
  });

  it('parses a valid file', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ targets: [checkout] }));
    expect(readConfigFile(file)).toEqual({ ok: true, config: { targets: [checkout] } });
  });
});

describe('jsonPath', () => {
  it('renders object keys with dots and list indexes in brackets', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['targets', 1, 'maxRollbacks', 'count'])).toBe('$.targets[1].maxRollbacks.count');
  });
});
