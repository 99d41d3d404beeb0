import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonPath } from '../../../lambda/boundary/json-path';
import {
  parseWatchdogConfig,
  readConfigFile,
  resolveRuntimeConfig,
} from '../../../lambda/boundary/config-schema';
import { TARGET_TYPES, alarmNameMatches } from '../../../lambda/contract';
import {
  DEFAULT_MAX_EVENT_AGE_MINUTES,
  DEFAULT_POLICY,
  DEFAULT_SWEEP_INTERVAL_MINUTES,
  RETENTION,
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

const checkout2 = () => ({ ...checkout, id: 'checkout-2', service: 'checkout-2' });

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
  it('accepts the contract example unchanged', () => {
    const input = {
      defaults: {
        mode: 'auto',
        cooldownMinutes: 15,
        bakeMinutes: 10,
        watchWindowMinutes: 60,
        maxRollbacks: { count: 2, windowMinutes: 60 },
        approvalTimeoutMinutes: 15,
        approvalTimeoutAction: 'hold',
        verificationTimeoutMinutes: 15,
        maxEventAgeMinutes: 30,
        sweepIntervalMinutes: 10,
      },
      targets: [
        checkout,
        { ...payments, mode: 'approval', cooldownMinutes: 30 },
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
      approvalTimeoutAction: 'rollback',
      verificationTimeoutMinutes: 30,
      freeze: { pipeline: 'payments-delivery', stage: 'Prod' },
    };
    expect(parsed({ targets: [target] })).toEqual({ targets: [target] });
  });

  it.each(['auto', 'approval', 'dry-run'])('accepts mode %p in defaults and on a target', (mode) => {
    expect(parsed({ defaults: { mode }, targets: [{ ...checkout, mode }] })).toEqual({
      defaults: { mode },
      targets: [{ ...checkout, mode }],
    });
  });

  it.each(['hold', 'rollback'])('accepts approvalTimeoutAction %p', (action) => {
    const config = { defaults: { approvalTimeoutAction: action }, targets: [checkout] };
    expect(parsed(config)).toEqual(config);
  });

  it.each([
    ['the shortest names', { pipeline: 'p', stage: 'S' }],
    ['every character CodePipeline allows', { pipeline: 'Release.v2@team_a-b', stage: 'Deploy-Prod_1.0@eu' }],
    ['100-character names', { pipeline: 'p'.repeat(100), stage: 's'.repeat(100) }],
  ])('accepts a deploy freeze with %s', (_what, freeze) => {
    expect(parsed({ targets: [{ ...checkout, freeze }] }).targets[0]).toEqual({ ...checkout, freeze });
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
  it('layers approvalTimeoutAction and verificationTimeoutMinutes like every policy field', () => {
    const config = parsed({
      defaults: { mode: 'approval', approvalTimeoutAction: 'rollback', verificationTimeoutMinutes: 20 },
      targets: [
        checkout,
        { ...payments, approvalTimeoutAction: 'hold', verificationTimeoutMinutes: 5, mode: 'auto' },
      ],
    });
    expect(resolveRuntimeConfig(config, env).targets.map((t) => t.policy)).toEqual([
      {
        ...DEFAULT_POLICY,
        mode: 'approval',
        approvalTimeoutAction: 'rollback',
        verificationTimeoutMinutes: 20,
      },
      { ...DEFAULT_POLICY, mode: 'auto', approvalTimeoutAction: 'hold', verificationTimeoutMinutes: 5 },
    ]);
  });

  it('layers fastRollback (default true) like every policy field, and names the field when it is not a boolean', () => {
    const config = parsed({
      defaults: { fastRollback: false },
      targets: [checkout, { ...payments, fastRollback: true }],
    });
    expect(resolveRuntimeConfig(config, env).targets.map((t) => t.policy.fastRollback)).toEqual([
      false,
      true,
    ]);
    expect(resolveRuntimeConfig(parsed({ targets: [checkout] }), env).targets[0]?.policy.fastRollback).toBe(
      true,
    );
    expect(parseWatchdogConfig({ targets: [{ ...checkout, fastRollback: 'yes' }] })).toMatchObject({
      ok: false,
      problems: ['$.targets[0].fastRollback: must be true or false (got "yes")'],
    });
  });

  it('carries a target’s freeze, and leaves it out where there is none', () => {
    const freeze = { pipeline: 'checkout-delivery', stage: 'Production' };
    const runtime = resolveRuntimeConfig(
      parsed({
        targets: [{ ...checkout, freeze }, { ...payments, freeze: { ...freeze, stage: 'Pay' } }, checkout2()],
      }),
      env,
    );
    expect(runtime.targets.map((t) => t.freeze)).toEqual([freeze, { ...freeze, stage: 'Pay' }, undefined]);
    expect('freeze' in runtime.targets[2]).toBe(false);
  });

  it('applies DEFAULT_POLICY when the config sets nothing', () => {
    expect(resolveRuntimeConfig(parsed({ targets: [checkout] }), env)).toEqual({
      schemaVersion: RUNTIME_CONFIG_SCHEMA_VERSION,
      account: env.account,
      region: env.region,
      maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
      sweepIntervalMinutes: DEFAULT_SWEEP_INTERVAL_MINUTES,
      auditRetentionDays: RETENTION.auditDays,
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

describe('parseWatchdogConfig: problems (RELIABILITY #24)', () => {
  it('rejects an unknown key, naming its path and the keys that are valid there', () => {
    expect(problemsOf({ targets: [{ ...checkout, coolDownMinutes: 5 }] })).toEqual([
      expect.stringMatching(
        /^\$\.targets\[0\]\.coolDownMinutes: unknown key; valid keys here are .*"cooldownMinutes"/,
      ),
    ]);
    expect(problemsOf({ targets: [checkout], notify: {} })).toEqual([
      '$.notify: unknown key; valid keys here are "defaults", "targets", "groups", "regions", "homeRegion", "notifications", "permissions", "operatorPrincipals", "readOnlyPrincipals", "auditExport"',
    ]);
  });

  it('rejects a duplicate target id, naming both indexes', () => {
    expect(problemsOf({ targets: [checkout, { ...checkout, service: 'other' }] })).toEqual([
      '$.targets[1].id: duplicate target id "checkout" (also $.targets[0].id); ids must be unique',
    ]);
  });

  it('rejects two targets for one ECS service or one CodeDeploy group: they would act on it twice', () => {
    expect(
      problemsOf({
        targets: [
          checkout,
          payments,
          { ...checkout, id: 'checkout-again', alarms: ['checkout-p99'] },
          { ...payments, id: 'payments-again' },
          // The same service name in another cluster is another service.
          { ...checkout, id: 'checkout-staging', cluster: 'staging' },
        ],
      }),
    ).toEqual([
      '$.targets[2].service: ECS service checkout in cluster prod is already the target $.targets[0]; two targets for one service would act on it twice. Keep one target and list every alarm there',
      `$.targets[3].deploymentGroup: CodeDeploy deployment group ${payments.deploymentGroup} of application ${payments.application} is already the target $.targets[1]; two targets for one deployment group would act on it twice. Keep one target and list every alarm there`,
    ]);
  });

  it.each([
    ['an empty name', '', 'must be a non-empty CloudWatch alarm name (got "")'],
    [
      'a name over 255 characters',
      'a'.repeat(256),
      'must be a CloudWatch alarm name of at most 255 characters',
    ],
    [
      'an ARN',
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx',
      'must be an alarm name, not an ARN: use the part after ":alarm:" ("checkout-5xx")',
    ],
    [
      'a control character',
      'checkout\n5xx',
      'must not contain control characters (tabs, newlines and the like)',
    ],
    ['a wildcard', 'checkout-*', 'must be an exact alarm name: "*" and "?" are not wildcards here.'],
  ])('rejects %s as an alarm name, naming the field and the fix', (_, name, message) => {
    const problems = problemsOf({ targets: [{ ...checkout, alarms: ['checkout-5xx', name] }] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`$.targets[0].alarms[1]: ${message}`);
  });

  it('accepts alarm names CloudWatch allows: 255 characters, spaces, slashes and unicode', () => {
    const result = parseWatchdogConfig({
      targets: [{ ...checkout, alarms: ['a'.repeat(255), 'Checkout / 5xx rate', 'caisse-é'] }],
    });
    expect(result.ok).toBe(true);
  });

  it('rejects an unknown target type with the types that exist', () => {
    expect(problemsOf({ targets: [{ ...checkout, type: 'ec2-instance' }] })).toEqual([
      `$.targets[0].type: must be one of ${TARGET_TYPES.map((t) => JSON.stringify(t)).join(', ')} (got "ec2-instance")`,
    ]);
  });

  it('rejects a negative cooldown with the valid range and the value given', () => {
    expect(
      problemsOf({ targets: [checkout, { ...checkout, id: 'b', service: 'b', cooldownMinutes: -5 }] }),
    ).toEqual(['$.targets[1].cooldownMinutes: must be a whole number >= 0 (got -5)']);
  });

  it('lists every problem of a config in one result, each with its JSON path', () => {
    const problems = problemsOf({
      defaults: { cooldownMinutes: -1, mode: 'manual', maxRollbacks: { count: 0, windowMinutes: 0 } },
      targets: [
        { ...checkout, id: 'Checkout', alarms: [] },
        { ...checkout, id: 'checkout-2', service: 'checkout-2', typo: true },
        { ...checkout, id: 'checkout-2', service: 'checkout-3', type: 'lambda' },
        {
          id: 'payments',
          type: 'codedeploy',
          application: 'payments',
          deploymentGroup: 'prod',
          alarms: ['e'],
        },
        { ...checkout, id: 'search', service: 'search', bakeMinutes: 2.5, watchWindowMinutes: 'soon' },
      ],
      notifications: { emails: ['not-an-address'] },
    });
    expect(problems).toEqual([
      '$.defaults.mode: must be one of "auto", "approval", "dry-run" (got "manual")',
      '$.defaults.cooldownMinutes: must be a whole number >= 0 (got -1)',
      '$.defaults.maxRollbacks.count: must be a whole number >= 1 (got 0)',
      '$.defaults.maxRollbacks.windowMinutes: must be a whole number > 0 (got 0)',
      '$.targets[0].id: must be lowercase letters, digits and "-" only ([a-z0-9-]+) (got "Checkout")',
      '$.targets[0].alarms: must list at least one alarm name (got [])',
      expect.stringMatching(/^\$\.targets\[1\]\.typo: unknown key/),
      `$.targets[2].type: must be one of ${TARGET_TYPES.map((t) => JSON.stringify(t)).join(', ')} (got "lambda")`,
      '$.targets[2].id: duplicate target id "checkout-2" (also $.targets[1].id); ids must be unique',
      '$.targets[4].bakeMinutes: must be a whole number >= 0 (got 2.5)',
      '$.targets[4].watchWindowMinutes: must be a whole number >= 0 (got "soon")',
      '$.notifications.emails[0]: must be an email address (got "not-an-address")',
    ]);
  });

  it('rejects an unknown mode listing every mode', () => {
    expect(problemsOf({ targets: [{ ...checkout, mode: 'yolo' }] })).toEqual([
      '$.targets[0].mode: must be one of "auto", "approval", "dry-run" (got "yolo")',
    ]);
  });

  it('rejects an unknown approvalTimeoutAction, in defaults and on a target', () => {
    expect(
      problemsOf({
        defaults: { approvalTimeoutAction: 'escalate' },
        targets: [{ ...checkout, approvalTimeoutAction: 'HOLD' }],
      }),
    ).toEqual([
      '$.defaults.approvalTimeoutAction: must be one of "hold", "rollback" (got "escalate")',
      '$.targets[0].approvalTimeoutAction: must be one of "hold", "rollback" (got "HOLD")',
    ]);
  });

  it.each([0, -5, 2.5, '15'])('rejects verificationTimeoutMinutes %p: whole minutes, at least 1', (value) => {
    expect(problemsOf({ targets: [{ ...checkout, verificationTimeoutMinutes: value }] })).toEqual([
      `$.targets[0].verificationTimeoutMinutes: must be a whole number > 0 (got ${JSON.stringify(value)})`,
    ]);
  });

  it('rejects deploy freezes CodePipeline would refuse, naming each bad field', () => {
    expect(
      problemsOf({
        targets: [
          { ...checkout, freeze: { pipeline: 'checkout delivery', stage: '' } },
          { ...payments, freeze: { pipeline: 'p'.repeat(101), stage: 'Prod/EU' } },
          { ...checkout2(), freeze: { pipeline: 'p' } },
          { ...checkout, id: 'c3', service: 'c3', freeze: 'checkout-delivery/Production' },
        ],
      }),
    ).toEqual([
      '$.targets[0].freeze.pipeline: must be a CodePipeline pipeline name: 1-100 letters, digits, ".", "@", "-" or "_" (got "checkout delivery")',
      '$.targets[0].freeze.stage: must be a CodePipeline stage name: 1-100 letters, digits, ".", "@", "-" or "_" (got "")',
      expect.stringMatching(
        /^\$\.targets\[1\]\.freeze\.pipeline: must be a CodePipeline pipeline name: 1-100 .* \(got "p+\.\.\.\)$/,
      ),
      '$.targets[1].freeze.stage: must be a CodePipeline stage name: 1-100 letters, digits, ".", "@", "-" or "_" (got "Prod/EU")',
      '$.targets[2].freeze.stage: must be a CodePipeline stage name (missing)',
      '$.targets[3].freeze: must be an object { "pipeline": string, "stage": string } (got "checkout-delivery/Production")',
    ]);
  });

  it('rejects unknown keys in a freeze, with the keys that are valid there', () => {
    expect(
      problemsOf({
        targets: [{ ...checkout, freeze: { pipeline: 'p', stage: 's', transition: 'Inbound' } }],
      }),
    ).toEqual(['$.targets[0].freeze.transition: unknown key; valid keys here are "pipeline", "stage"']);
  });

  it('rejects a freeze in defaults: it names one target’s pipeline', () => {
    expect(problemsOf({ defaults: { freeze: { pipeline: 'p', stage: 's' } }, targets: [checkout] })).toEqual([
      expect.stringMatching(/^\$\.defaults\.freeze: unknown key; valid keys here are /),
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
        '"approvalTimeoutMinutes", "approvalTimeoutAction", "verificationTimeoutMinutes", "fastRollback", ' +
        '"freeze", "runbookUrl", "region"',
      '$.targets[1].deploymentGroup: must be a CodeDeploy deployment group name (missing)',
      '$.targets[2].application: must be a non-empty CodeDeploy application name (got "")',
      expect.stringMatching(
        /^\$\.targets\[2\]\.deploymentGroup: must be a CodeDeploy deployment group name of at most 100 characters \(got "g+\.\.\.\)$/,
      ),
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

describe('parseWatchdogConfig: permissions', () => {
  it('accepts the scopes and alarm-name patterns', () => {
    const config = parsed({
      targets: [checkout],
      permissions: { ecs: 'clusters', codeDeploy: 'applications', alarmNamePatterns: ['checkout-*'] },
    });
    expect(config.permissions).toEqual({
      ecs: 'clusters',
      codeDeploy: 'applications',
      alarmNamePatterns: ['checkout-*'],
    });
  });

  it('names every wrong scope, unusable pattern and unknown key by JSON path', () => {
    expect(
      problemsOf({
        targets: [checkout],
        permissions: {
          ecs: 'cluster',
          codeDeploy: 'groups',
          alarmNamePatterns: ['*', 'a?b', 'x**'],
          extra: 1,
        },
      }),
    ).toEqual([
      '$.permissions.ecs: must be one of "services", "clusters" (got "cluster")',
      '$.permissions.codeDeploy: must be one of "deployment-groups", "applications" (got "groups")',
      '$.permissions.alarmNamePatterns[0]: must name part of the alarm name: "*" alone covers every alarm in the account (got "*")',
      '$.permissions.alarmNamePatterns[1]: may use "*" as its only wildcard ("?" means one character to IAM but nothing to EventBridge) (got "a?b")',
      '$.permissions.alarmNamePatterns[2]: must not contain "**" (EventBridge rejects consecutive wildcards) (got "x**")',
      '$.permissions.extra: unknown key; valid keys here are "ecs", "codeDeploy", "alarmNamePatterns"',
    ]);
  });
});

describe('alarmNameMatches (IAM and EventBridge "*")', () => {
  it.each([
    ['svc-*', 'svc-1-5xx', true],
    ['svc-*', 'svc-', true],
    ['svc-*', 'api-svc-1', false],
    ['*-5xx', 'svc-1-5xx', true],
    ['svc-*-5xx', 'svc-1-5xx', true],
    ['svc-*-5xx', 'svc-1-p99', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(alarmNameMatches(pattern, name)).toBe(expected);
  });
});

describe('runbookUrl and the Slack channel settings', () => {
  it('carries a target runbook into the runtime config', () => {
    const config = parsed({
      targets: [{ ...checkout, runbookUrl: 'https://wiki.example.com/runbooks/checkout' }, payments],
    });
    const runtime = resolveRuntimeConfig(config, env);
    expect(runtime.targets[0]?.runbookUrl).toBe('https://wiki.example.com/runbooks/checkout');
    expect(runtime.targets[1]).not.toHaveProperty('runbookUrl');
  });

  it.each([
    ['http://wiki.example.com/x', 'must be an https URL like'],
    ['wiki.example.com/x', 'must be an https URL like'],
    ['https://user:pw@wiki.example.com/x', 'must not carry a user name or password'],
    [`https://wiki.example.com/${'a'.repeat(1_000)}`, 'must be at most 1000 characters'],
  ])('refuses the runbook %s, naming the field', (url, problem) => {
    expect(problemsOf({ targets: [{ ...checkout, runbookUrl: url }] })).toEqual([
      expect.stringContaining(`$.targets[0].runbookUrl: ${problem}`),
    ]);
  });

  it('accepts notifications.slack with a mention, beside or instead of slackWebhookSecretName', () => {
    expect(
      parsed({
        targets: [checkout],
        notifications: { slack: { webhookSecretName: 'watchdog/slack', mention: '<!subteam^S0123ABCD>' } },
      }).notifications?.slack,
    ).toEqual({ webhookSecretName: 'watchdog/slack', mention: '<!subteam^S0123ABCD>' });
    expect(
      parsed({
        targets: [checkout],
        notifications: { slackWebhookSecretName: 'watchdog/slack', slack: { mention: '<!here>' } },
      }).notifications?.slack,
    ).toEqual({ mention: '<!here>' });
  });

  it('refuses a mention Slack would not ping, two different secrets, and a mention without a webhook', () => {
    expect(
      problemsOf({
        targets: [checkout],
        notifications: { slack: { webhookSecretName: 'a', mention: '@oncall' } },
      }),
    ).toEqual([
      expect.stringMatching(
        /^\$\.notifications\.slack\.mention: must be Slack mention syntax: .*pings nobody/,
      ),
    ]);
    expect(
      problemsOf({
        targets: [checkout],
        notifications: { slackWebhookSecretName: 'a', slack: { webhookSecretName: 'b' } },
      }),
    ).toEqual([
      expect.stringContaining(
        '$.notifications.slack.webhookSecretName: names a different secret than notifications.slackWebhookSecretName ("a")',
      ),
    ]);
    expect(problemsOf({ targets: [checkout], notifications: { slack: { mention: '<!here>' } } })).toEqual([
      '$.notifications.slack.mention: applies to the Slack webhook channel: set notifications.slack.webhookSecretName too, or remove it (got "<!here>")',
    ]);
    expect(problemsOf({ targets: [checkout], notifications: { slack: { channel: 'x' } } })).toEqual([
      '$.notifications.slack.channel: unknown key; valid keys here are "webhookSecretName", "mention", "interactive", "approvers"',
    ]);
  });
});

describe('notifications.chatbotSlack', () => {
  it('accepts Slack ids and refuses anything else, naming the field', () => {
    expect(
      parsed({
        targets: [checkout],
        notifications: { chatbotSlack: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' } },
      }).notifications?.chatbotSlack,
    ).toEqual({ slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' });
    expect(
      problemsOf({
        targets: [checkout],
        notifications: { chatbotSlack: { slackWorkspaceId: 'acme', slackChannelId: '#oncall', extra: 1 } },
      }),
    ).toEqual([
      '$.notifications.chatbotSlack.slackWorkspaceId: must be a Slack workspace id like "T0123ABCD" (Slack shows it in the workspace\'s details) (got "acme")',
      '$.notifications.chatbotSlack.slackChannelId: must be a Slack channel id like "C0123ABCD" (Slack shows it in the channel\'s details) (got "#oncall")',
      '$.notifications.chatbotSlack.extra: unknown key; valid keys here are "slackWorkspaceId", "slackChannelId"',
    ]);
  });
});

describe('operatorPrincipals and readOnlyPrincipals', () => {
  it('accept role, user and root ARNs and refuse anything else, naming the entry', () => {
    expect(
      parsed({
        targets: [checkout],
        operatorPrincipals: ['arn:aws:iam::123456789012:role/team/oncall', 'arn:aws:iam::123456789012:root'],
        readOnlyPrincipals: ['arn:aws-cn:iam::123456789012:user/carol'],
      }).readOnlyPrincipals,
    ).toEqual(['arn:aws-cn:iam::123456789012:user/carol']);
    expect(
      problemsOf({
        targets: [checkout],
        operatorPrincipals: ['arn:aws:sts::123456789012:assumed-role/oncall/jane', 'oncall'],
      }),
    ).toEqual([
      expect.stringMatching(
        /^\$\.operatorPrincipals\[0\]: must be the ARN of an IAM role, user or account root/,
      ),
      expect.stringMatching(
        /^\$\.operatorPrincipals\[1\]: must be the ARN of an IAM role, user or account root/,
      ),
    ]);
  });
});

describe('parseWatchdogConfig: release groups', () => {
  const target = (id: string) => ({ ...checkout, id, service: id, alarms: [`${id}-5xx`] });
  const targets = [target('web'), target('api'), target('worker')];

  it('accepts a group and resolves its defaults into the runtime config', () => {
    const parsed = parseWatchdogConfig({ targets, groups: [{ id: 'storefront', targets: ['web', 'api'] }] });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(
      resolveRuntimeConfig(parsed.config, { account: '123456789012', region: 'us-east-1' }).groups,
    ).toEqual([
      { id: 'storefront', targets: ['web', 'api'], releaseWindowMinutes: 30, onMemberFailure: 'stop' },
    ]);
  });

  it('names an unknown member, a target in two groups, a group id that is a target id and an incomplete order', () => {
    expect(
      problemsOf({
        targets,
        groups: [
          { id: 'storefront', targets: ['web', 'api', 'cart'], rollbackOrder: ['api'] },
          { id: 'worker', targets: ['worker', 'web'], onMemberFailure: 'retry', releaseWindowMinutes: 0 },
        ],
      }),
    ).toEqual([
      '$.groups[0].targets[2]: unknown target "cart": list the ids of configured targets ("web", "api", "worker")',
      '$.groups[0].rollbackOrder: must list every member once; add "web", or leave rollbackOrder out for the reverse of the release order',
      '$.groups[1].releaseWindowMinutes: must be a whole number of minutes from 1 to 1440 (got 0)',
      '$.groups[1].onMemberFailure: must be one of "stop", "continue" (got "retry")',
      '$.groups[1].id: "worker" is also a target id; give the group an id of its own',
      '$.groups[1].targets[1]: target "web" is already in groups[0]; a target may belong to one group only',
    ]);
  });

  it('refuses a group of one and an order naming a non-member', () => {
    expect(
      problemsOf({
        targets,
        groups: [
          { id: 'solo', targets: ['web'] },
          { id: 'pair', targets: ['api', 'worker'], rollbackOrder: ['api', 'worker', 'web'] },
        ],
      }),
    ).toEqual([
      '$.groups[0].targets: must list at least two target ids: a group of one is just a target (got ["web"])',
      '$.groups[1].rollbackOrder[2]: "web" is not a member of this group ("api", "worker")',
    ]);
  });
});

describe('parseWatchdogConfig: regions', () => {
  const target = (id: string, region?: string, service = id) => ({
    ...checkout,
    id,
    service,
    alarms: [`${id}-5xx`],
    ...(region !== undefined ? { region } : {}),
  });

  it('refuses a region list without the home region, and a home region without regions', () => {
    expect(
      problemsOf({
        regions: ['us-east-1', 'eu-west-1'],
        homeRegion: 'ap-southeast-2',
        targets: [target('web')],
      }),
    ).toEqual([
      '$.regions: does not list the home region ap-southeast-2 (homeRegion); add it to regions, or name one of "us-east-1", "eu-west-1" as homeRegion',
    ]);
    expect(problemsOf({ homeRegion: 'eu-west-1', targets: [target('web')] })).toEqual([
      '$.homeRegion: needs regions: list the regions the watchdog runs in, eu-west-1 among them',
    ]);
    expect(
      parseWatchdogConfig({
        regions: ['us-east-1', 'eu-west-1'],
        homeRegion: 'eu-west-1',
        targets: [target('web')],
      }).ok,
    ).toBe(true);
  });

  it('resolves the region list into the runtime config only when there are several (the quarantine needs them)', () => {
    const several = parseWatchdogConfig({ regions: ['us-east-1', 'eu-west-1'], targets: [target('web')] });
    const one = parseWatchdogConfig({ regions: ['us-east-1'], targets: [target('web')] });
    if (!several.ok || !one.ok) throw new Error('valid configs');
    expect(
      resolveRuntimeConfig(several.config, { account: '123456789012', region: 'eu-west-1' }).regions,
    ).toEqual(['us-east-1', 'eu-west-1']);
    expect(
      resolveRuntimeConfig(one.config, { account: '123456789012', region: 'us-east-1' }).regions,
    ).toBeUndefined();
  });

  it('accepts one target id per region, and targets in every region', () => {
    expect(
      parseWatchdogConfig({
        regions: ['us-east-1', 'eu-west-1'],
        targets: [target('web'), target('api', 'us-east-1'), target('api', 'eu-west-1')],
      }).ok,
    ).toBe(true);
  });

  it('names repeated, unsupported and mixed-partition regions, a region without targets and a target outside the list', () => {
    expect(
      problemsOf({
        regions: ['us-east-1', 'eu-west-1', 'us-east-1', 'cn-north-1'],
        targets: [target('web', 'us-east-1'), target('api', 'us-west-2')],
      }),
    ).toEqual([
      '$.regions[2]: lists us-east-1 twice',
      '$.regions: mixes partitions (aws, aws-cn); one watchdog config covers one partition: split it in one config per partition',
      '$.regions[1]: no target is in eu-west-1 (every target names another region); remove it, or add a target without region or with "region": "eu-west-1"',
      '$.regions[3]: no target is in cn-north-1 (every target names another region); remove it, or add a target without region or with "region": "cn-north-1"',
      '$.targets[1].region: us-west-2 is not one of regions ("us-east-1", "eu-west-1", "us-east-1", "cn-north-1"); add it to regions',
    ]);
    expect(problemsOf({ regions: ['ap-southeast-5'], targets: [target('web')] })[0]).toMatch(
      /^\$\.regions\[0\]: region ap-southeast-5: not supported: ap-southeast-5 has no Lambda function URLs/,
    );
  });

  it('refuses a target region without regions, and the same id twice where the regions overlap', () => {
    expect(problemsOf({ targets: [target('web', 'eu-west-1')] })).toEqual([
      '$.targets[0].region: needs regions: list the regions the watchdog runs in (without regions it runs in the region the CDK CLI targets)',
    ]);
    expect(
      problemsOf({
        regions: ['us-east-1', 'eu-west-1'],
        targets: [target('web'), target('web', 'eu-west-1', 'web-eu')],
      }),
    ).toEqual([
      '$.targets[1].id: duplicate target id "web" (also $.targets[0].id); ids must be unique in each region (the same id in two regions, each target naming its region, is one service in both)',
    ]);
  });
});
