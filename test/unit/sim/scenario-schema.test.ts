import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario, readScenarioFile } from '../../../lambda/sim/scenario-schema';
import { START_MS, minutes, scenarioInput, validScenario } from './support';

function problemsOf(input: unknown): string[] {
  const result = parseScenario(input);
  if (result.ok) throw new Error('expected problems, the scenario was accepted');
  return result.problems;
}

describe('parseScenario: valid scenarios', () => {
  it('accepts the contract example and resolves times and defaults', () => {
    const contractExample = JSON.parse(
      readFileSync(join(__dirname, '../../../examples/ecs-rollback-in-progress.json'), 'utf8'),
    ) as unknown;
    const result = parseScenario(contractExample);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const s = result.scenario;
    expect(s.startMs).toBe(START_MS);
    expect(s.untilMs).toBe(START_MS + minutes(120));
    expect(s.world.alarms[0]).toEqual({
      name: 'checkout-5xx',
      watches: 'checkout',
      delaySeconds: 60,
      state: 'OK',
      deliveries: 1,
    });
    expect(s.world.failingVersions).toEqual([]);
    expect(s.timeline).toEqual([
      { index: 0, atMs: START_MS, action: { kind: 'deploy', target: 'checkout', version: 'checkout:42' } },
    ]);
  });

  it('applies world defaults (rolloutSeconds 120, alarm state OK, one delivery)', () => {
    const s = validScenario({
      world: {
        ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
        alarms: [{ name: 'checkout-5xx' }],
      },
    });
    expect(s.world.ecsServices[0]?.rolloutSeconds).toBe(120);
    expect(s.world.alarms[0]).toEqual({ name: 'checkout-5xx', delaySeconds: 60, state: 'OK', deliveries: 1 });
    expect(s.world.codeDeployGroups).toEqual([]);
    expect(s.world.badVersions).toEqual([]);
    expect(s.world.versions).toEqual({});
  });

  it('reads world.versions of ECS and CodeDeploy versions, tags defaulting to none', () => {
    const s = validScenario({
      world: {
        ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
        alarms: [{ name: 'checkout-5xx' }],
        versions: {
          'checkout:42': { schema: 8, minCompatibleSchema: 0 },
          'payments@r7': { tags: { 'rollback-watchdog:schema': 'eight', team: '' } },
          'checkout:43': {},
        },
      },
    });
    expect(s.world.versions).toEqual({
      'checkout:42': { schema: 8, minCompatibleSchema: 0, tags: {} },
      'payments@r7': { tags: { 'rollback-watchdog:schema': 'eight', team: '' } },
      'checkout:43': { tags: {} },
    });
  });

  it('sorts the timeline by time, keeping file order for equal times, and accepts every entry kind', () => {
    const s = validScenario({
      timeline: [
        { at: '+10m', command: ['pause', 'checkout'] },
        { at: '2026-03-01T10:05:00Z', alarm: { name: 'checkout-5xx', state: 'ALARM', deliveries: 2 } },
        { at: '+5m', event: { anything: 'goes' } },
        { at: '+0s', deploy: { target: 'checkout', version: 'checkout:42' } },
        { at: '+5m', event: null },
      ],
    });
    expect(s.timeline.map((e) => [e.index, e.atMs - START_MS, e.action.kind])).toEqual([
      [3, 0, 'deploy'],
      [1, minutes(5), 'alarm'],
      [2, minutes(5), 'event'],
      [4, minutes(5), 'event'],
      [0, minutes(10), 'command'],
    ]);
    expect(s.timeline[3]?.action).toEqual({ kind: 'event', event: null });
  });

  it('resolves expectation times to the ISO form the output uses', () => {
    const s = validScenario({
      expect: {
        decisions: [{ outcome: 'rollback', at: '+1m' }],
        notifications: [{ kind: 'rollback-started', at: '2026-03-01T10:01:00Z', count: 2 }],
      },
    });
    expect(s.expect?.decisions).toEqual([{ outcome: 'rollback', at: '2026-03-01T10:01:00.000Z', count: 1 }]);
    expect(s.expect?.notifications).toEqual([
      { kind: 'rollback-started', at: '2026-03-01T10:01:00.000Z', count: 2 },
    ]);
  });

  it('accepts CodeDeploy targets and groups, with rolloutSeconds and lostEvents defaulted', () => {
    const s = validScenario(codeDeployInput());
    expect(s.config.targets[0]).toEqual(expect.objectContaining({ id: 'payments', type: 'codedeploy' }));
    expect(s.world.codeDeployGroups).toEqual([
      {
        application: 'payments',
        deploymentGroup: 'payments-prod',
        revision: 'payments@r7',
        rolloutSeconds: 120,
        lostEvents: [],
      },
    ]);
    expect(s.timeline[0]?.action).toEqual({ kind: 'deploy', target: 'payments', version: 'payments@r8' });
  });

  it('accepts a deploy that names who deploys, and keeps a deploy without one as it was', () => {
    const by = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';
    const s = validScenario({
      timeline: [
        { at: '+0s', deploy: { target: 'checkout', version: 'checkout:42', by } },
        { at: '+1m', deploy: { target: 'checkout', version: 'checkout:43' } },
      ],
    });
    expect(s.timeline.map((e) => e.action)).toEqual([
      { kind: 'deploy', target: 'checkout', version: 'checkout:42', by },
      { kind: 'deploy', target: 'checkout', version: 'checkout:43' },
    ]);
  });

  it('accepts lostEvents naming any of START, SUCCESS, FAILURE, STOP', () => {
    const s = validScenario(
      codeDeployInput({ lostEvents: ['START', 'SUCCESS', 'FAILURE', 'STOP'], rolloutSeconds: 300 }),
    );
    expect(s.world.codeDeployGroups[0]).toEqual(
      expect.objectContaining({ rolloutSeconds: 300, lostEvents: ['START', 'SUCCESS', 'FAILURE', 'STOP'] }),
    );
  });
});

describe('parseScenario: invalid scenarios', () => {
  it('reports every problem at once, each by JSON path, in document order', () => {
    const input = scenarioInput({
      colour: 'blue',
      world: {
        ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
        alarms: [{ name: 'checkout-5xx', watches: 'chekout' }],
      },
      timeline: [
        { at: '+5x', deploy: { target: 'payments', version: 'payments:1' } },
        { at: '+1m', deploy: { target: 'checkout', version: 'checkout:42' }, extra: true },
      ],
    });

    expect(problemsOf(input)).toEqual([
      '$.colour: unknown key; valid keys here are "name", "description", "start", "config", "world", "timeline", "until", "expect"',
      '$.world.alarms[0].watches: unknown target "chekout"; expected one of $.config.targets ids "checkout"',
      '$.timeline[0].at: must be an offset from start like "+90s", "+10m", "+2h", "+7d" (or "+1h30m"), or an ISO timestamp like "2026-03-01T10:05:00Z" (got "+5x")',
      '$.timeline[0].deploy.target: unknown target "payments"; expected one of $.config.targets ids "checkout"',
      '$.timeline[1].extra: unknown key; valid keys here are "at", "deploy", "alarm", "event", "command", "region"',
    ]);
  });

  it('rejects a command naming a target the config lacks, as a deploy to one', () => {
    const input = scenarioInput({
      timeline: [
        { at: '+1m', command: ['pause', 'payments'] },
        { at: '+2m', command: ['rollback', 'cart', '--to', 'cart:1'] },
        { at: '+3m', command: ['pause'] },
        { at: '+4m', command: ['approve', 'checkout'] },
      ],
    });
    expect(problemsOf(input)).toEqual([
      '$.timeline[0].command: unknown target "payments"; expected one of $.config.targets ids "checkout" (got ["pause","payments"])',
      '$.timeline[1].command: unknown target "cart"; expected one of $.config.targets ids "checkout" (got ["rollback","cart","--to","cart:1"])',
    ]);
  });

  it('checks faults: the API and error names, and the target against the config', () => {
    const input = scenarioInput({
      world: {
        ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
        alarms: [{ name: 'checkout-5xx', watches: 'checkout' }],
        faults: [
          { api: 'ecs:UpdateService', target: 'payments', error: 'AccessDeniedException' },
          { api: 'UpdateService', error: 'denied' },
        ],
      },
    });
    expect(problemsOf(input)).toEqual([
      '$.world.faults[0].target: unknown target "payments"; expected one of $.config.targets ids "checkout"',
      '$.world.faults[1].api: must be an API like "ecs:UpdateService" (service:Operation) (got "UpdateService")',
      '$.world.faults[1].error: must be an error name like "AccessDeniedException" (ending in Exception, Error or Fault) (got "denied")',
    ]);
  });

  it('prefixes the config schema problems with $.config', () => {
    const problems = problemsOf(
      scenarioInput({
        config: {
          targets: [
            {
              id: 'Checkout',
              type: 'ecs-service',
              cluster: 'prod',
              service: 'checkout',
              alarms: ['checkout-5xx'],
              cooldown: 5,
            },
          ],
        },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\.config\.targets\[0\]\.id: must be lowercase letters/),
        expect.stringMatching(/^\$\.config\.targets\[0\]\.cooldown: unknown key/),
      ]),
    );
  });

  it('reports a missing config like any other problem', () => {
    const { config: _omitted, ...input } = scenarioInput();
    expect(problemsOf(input)).toEqual(['$.config: must be a JSON object with a "targets" list (missing)']);
  });

  it('requires CodeDeploy revisions and released versions to be labels "name@rev"', () => {
    const input = codeDeployInput({ revision: 'r7', lostEvents: ['READY'] });
    (input.timeline as unknown[]).push(
      { at: '+1m', deploy: { target: 'payments', version: 'payments@' } },
      { at: '+2m', deploy: { target: 'payments', version: 'payments@r9' } },
    );
    expect(problemsOf(input)).toEqual([
      '$.world.codeDeployGroups[0].revision: must be a CodeDeploy revision label "name@rev", like "payments@r7" (deployed as the GitHub revision "name" at commit "rev") (got "r7")',
      '$.world.codeDeployGroups[0].lostEvents[0]: must be one of "START", "SUCCESS", "FAILURE", "STOP" (got "READY")',
      '$.timeline[1].deploy.version: must be a CodeDeploy revision label "name@rev", like "payments@r7" (deployed as the GitHub revision "name" at commit "rev") for CodeDeploy target "payments" (got "payments@")',
    ]);
  });

  it('names the missing CodeDeploy group of a codedeploy target', () => {
    const input = codeDeployInput();
    (input.world as { codeDeployGroups: unknown[] }).codeDeployGroups = [];
    expect(problemsOf(input)).toEqual([
      '$.config.targets[0]: no CodeDeploy deployment group payments/payments-prod in $.world.codeDeployGroups',
    ]);
  });

  it('checks times against start and until', () => {
    expect(
      problemsOf(
        scenarioInput({
          until: '+1h',
          timeline: [
            { at: '2026-03-01T09:00:00Z', deploy: { target: 'checkout', version: 'checkout:42' } },
            { at: '+2h', alarm: { name: 'checkout-5xx', state: 'ALARM' } },
          ],
        }),
      ),
    ).toEqual([
      '$.timeline[0].at: must not be before start (2026-03-01T10:00:00.000Z) (got "2026-03-01T09:00:00Z")',
      '$.timeline[1].at: is after until (+1h), so it would never run (got "+2h")',
    ]);
    expect(problemsOf(scenarioInput({ until: '2026-03-01T09:00:00Z' }))).toEqual([
      '$.until: must be after start (2026-03-01T10:00:00.000Z) (got "2026-03-01T09:00:00Z")',
    ]);
    expect(problemsOf(scenarioInput({ start: '2026-03-01 10:00' }))).toEqual([
      '$.start: must be an ISO timestamp with a zone, like "2026-03-01T10:00:00Z" (got "2026-03-01 10:00")',
    ]);
  });

  it('requires exactly one action per timeline entry, and valid ones', () => {
    expect(
      problemsOf(
        scenarioInput({
          timeline: [
            { at: '+1m' },
            { at: '+2m', alarm: { name: 'checkout-5xx', state: 'ALARM' }, command: ['pause', 'checkout'] },
            { at: '+3m', alarm: { name: 'checkout-500', state: 'RED' } },
            { at: '+4m', deploy: { target: 'checkout', version: 'latest' } },
            { at: '+5m', command: [] },
          ],
        }),
      ),
    ).toEqual([
      '$.timeline[0]: must have exactly one of "deploy", "alarm", "event", "command" (got none)',
      '$.timeline[1]: must have exactly one of "deploy", "alarm", "event", "command" (got "alarm", "command")',
      '$.timeline[2].alarm.state: must be one of "OK", "ALARM", "INSUFFICIENT_DATA" (got "RED")',
      '$.timeline[2].alarm.name: unknown alarm "checkout-500"; expected one of $.world.alarms names "checkout-5xx"',
      '$.timeline[3].deploy.version: must be a task definition "family:revision" for ECS target "checkout" (got "latest")',
      '$.timeline[4].command: must be the command as a non-empty list of arguments, like ["pause", "checkout"] (got [])',
    ]);
  });

  it('cross-checks the world against the config', () => {
    expect(
      problemsOf(
        scenarioInput({
          world: {
            ecsServices: [
              { cluster: 'prod', service: 'cart', taskDefinition: 'cart:1' },
              { cluster: 'prod', service: 'cart', taskDefinition: 'cart:2', rolloutSeconds: 0 },
            ],
            alarms: [{ name: 'other' }, { name: 'other', delaySeconds: -1 }],
          },
        }),
      ),
    ).toEqual([
      '$.config.targets[0]: no ECS service prod/checkout in $.world.ecsServices; add { "cluster": "prod", "service": "checkout", "taskDefinition": "<family>:<revision>" }',
      '$.config.targets[0].alarms[0]: unknown alarm "checkout-5xx"; expected one of $.world.alarms names "other"; every alarm the config names must exist in the simulated account',
      '$.world.ecsServices[1].rolloutSeconds: must be a whole number of seconds > 0 (got 0)',
      '$.world.ecsServices[1]: duplicate ECS service prod/cart',
      '$.world.alarms[1].delaySeconds: must be a whole number of seconds >= 0 (got -1)',
      '$.world.alarms[1].name: duplicate alarm "other"; names must be unique',
    ]);
  });

  it('checks expectations name real APIs, targets, alarms and values', () => {
    expect(
      problemsOf(
        scenarioInput({
          expect: {
            calls: { 'ecs:UpdateServices': 1, 'sns:Publish': -1 },
            final: { cart: 'cart:1' },
            alarms: { 'checkout-5xx': 'RED', missing: 'OK' },
            decisions: [{ outcome: 'rolback', reason: 'because' }],
            notifications: [{ kind: 'rollback-begun', count: 1.5 }],
            ledger: [{ target: 'cart', status: 'baked', deployedBy: '' }],
            verdict: 'pass',
          },
        }),
      ),
    ).toEqual([
      '$.expect.verdict: unknown key; valid keys here are "calls", "final", "decisions", "notifications", "alarms", "ledger"',
      '$.expect.calls["sns:Publish"]: must be a whole number >= 0 (got -1)',
      expect.stringMatching(
        /^\$\.expect\.calls\["ecs:UpdateServices"\]: unknown API; expected one of "ecs:UpdateService", /,
      ),
      '$.expect.final.cart: unknown target "cart"; expected one of $.config.targets ids "checkout"',
      '$.expect.decisions[0].outcome: must be one of "rollback", "skip", "approval-requested", "dry-run" (got "rolback")',
      expect.stringMatching(
        /^\$\.expect\.decisions\[0\]\.reason: must be one of "alarm", "approved", "manual", .*"duplicate", .* \(got "because"\)$/,
      ),
      expect.stringMatching(
        /^\$\.expect\.notifications\[0\]\.kind: must be one of "rollback-started", .* \(got "rollback-begun"\)$/,
      ),
      '$.expect.notifications[0].count: must be a whole number >= 0 (got 1.5)',
      '$.expect.alarms["checkout-5xx"]: must be one of "OK", "ALARM", "INSUFFICIENT_DATA" (got "RED")',
      '$.expect.alarms.missing: unknown alarm "missing"; expected one of $.world.alarms names "checkout-5xx"',
      '$.expect.ledger[0].status: must be one of "in-progress", "completed", "failed" (got "baked")',
      '$.expect.ledger[0].deployedBy: must be a principal (a non-empty string) (got "")',
      '$.expect.ledger[0].target: unknown target "cart"; expected one of $.config.targets ids "checkout"',
    ]);
  });

  it('rejects input that is not an object', () => {
    expect(problemsOf([])).toEqual(['$: must be a JSON object (a scenario) (got [])']);
  });
});

describe('readScenarioFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'watchdog-scenario-'));

  it('reads and validates a file', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify(scenarioInput()));
    expect(readScenarioFile(file).ok).toBe(true);
  });

  it('reports a missing file and invalid JSON as problems', () => {
    expect(readScenarioFile(join(dir, 'missing.json'))).toEqual({
      ok: false,
      problems: [`${join(dir, 'missing.json')}: file not found`],
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "name": ');
    const result = readScenarioFile(broken);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatch(/broken\.json: not valid JSON/);
  });
});

/** A valid scenario with one CodeDeploy target; `group` patches its deployment group. */
function codeDeployInput(group: Record<string, unknown> = {}): Record<string, unknown> {
  return scenarioInput({
    config: {
      targets: [
        {
          id: 'payments',
          type: 'codedeploy',
          application: 'payments',
          deploymentGroup: 'payments-prod',
          alarms: ['payments-errors'],
        },
      ],
    },
    world: {
      codeDeployGroups: [
        { application: 'payments', deploymentGroup: 'payments-prod', revision: 'payments@r7', ...group },
      ],
      alarms: [{ name: 'payments-errors', watches: 'payments' }],
    },
    timeline: [{ at: '+0s', deploy: { target: 'payments', version: 'payments@r8' } }],
  });
}

describe('parseScenario: timeline commands and pipelines', () => {
  it('reads a timeline command as the CLI reads its arguments, with the simulated operator reason as default', () => {
    const s = validScenario({
      timeline: [
        { at: '+1m', command: ['pause', 'checkout'] },
        { at: '+2m', command: ['pause', '--reason', 'game day'] },
        {
          at: '+3m',
          command: ['rollback', 'checkout', '--to', 'checkout:40', '--force', '--reason', 'bad'],
        },
        { at: '+3h', command: ['history', 'checkout', '--since', '2h', '--limit', '5'] },
        { at: '+4m', command: ['drill', 'checkout', '--alarm', 'checkout-5xx', '--live'] },
      ],
      until: '+4h',
    });
    expect(s.timeline.map((e) => (e.action.kind === 'command' ? e.action.request : e.action))).toEqual([
      { command: 'pause', target: 'checkout', reason: 'simulated operator' },
      { command: 'pause', reason: 'game day' },
      { command: 'rollback', target: 'checkout', to: 'checkout:40', force: true, reason: 'bad' },
      { command: 'drill', target: 'checkout', alarm: 'checkout-5xx', live: true },
      // --since counts back from the moment the entry runs.
      { command: 'history', target: 'checkout', sinceMs: START_MS + minutes(60), limit: 5 },
    ]);
    expect(s.timeline[0]?.action).toEqual(
      expect.objectContaining({ kind: 'command', args: ['pause', 'checkout'] }),
    );
  });

  it('reports a command the CLI would not accept at $.timeline[i].command, naming the argument', () => {
    expect(
      problemsOf(
        scenarioInput({
          timeline: [
            { at: '+1m', command: ['approve'] },
            { at: '+2m', command: ['deploy', 'checkout'] },
            { at: '+3m', command: ['rollback', 'checkout', '--to'] },
            { at: '+4m', command: ['history', '--limit', 'many'] },
            { at: '+5m', command: ['pause', 'Checkout!'] },
          ],
        }),
      ),
    ).toEqual([
      '$.timeline[0].command: missing <target> (got ["approve"])',
      '$.timeline[1].command: unknown operator command "deploy"; expected one of status, history, pause, resume, approve, rollback, drill, report (got ["deploy","checkout"])',
      '$.timeline[2].command: --to needs a value: --to <version> (got ["rollback","checkout","--to"])',
      '$.timeline[3].command: --limit: must be a whole number from 1 to 1000 (got "many")',
      '$.timeline[4].command: <target>: must be a target id: lowercase letters, digits and "-" only ([a-z0-9-]+) (got "Checkout!")',
    ]);
  });

  const frozenTargets = {
    targets: [
      {
        id: 'checkout',
        type: 'ecs-service',
        cluster: 'prod',
        service: 'checkout',
        alarms: ['checkout-5xx'],
        freeze: { pipeline: 'shop', stage: 'Prod' },
      },
      {
        id: 'cart',
        type: 'ecs-service',
        cluster: 'prod',
        service: 'cart',
        alarms: ['checkout-5xx'],
        freeze: { pipeline: 'shop', stage: 'Prod-cart' },
      },
    ],
  };
  const twoServices = {
    ecsServices: [
      { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' },
      { cluster: 'prod', service: 'cart', taskDefinition: 'cart:7' },
    ],
    alarms: [{ name: 'checkout-5xx', watches: 'checkout' }],
  };

  it('checks world.versions: version keys, whole schema levels, tag keys and values within ECS limits', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, 'v']));
    const world = (versions: unknown) => ({
      world: {
        ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
        alarms: [{ name: 'checkout-5xx', watches: 'checkout' }],
        versions,
      },
    });
    expect(
      problemsOf(
        scenarioInput(
          world({
            'checkout:42': { schema: -1, minCompatibleSchema: 1.5 },
            'checkout:43': { schema: '8', colour: 'blue' },
            'checkout:44': {
              tags: { 'rollback-watchdog:schema': 'x'.repeat(257), ['k'.repeat(129)]: 'v', '': 'v' },
            },
            'checkout:45': { tags: many(51) },
            'checkout:46': { schema: 1, minCompatibleSchema: 0, tags: many(49) },
            'checkout:47': { schema: 1, tags: { ...many(49), 'rollback-watchdog:schema': 'one' } },
            'checkout-48': { tags: { team: 7 } },
          }),
        ),
      ),
    ).toEqual([
      '$.world.versions["checkout:42"].schema: must be a schema level: a whole number >= 0 (got -1)',
      '$.world.versions["checkout:42"].minCompatibleSchema: must be a schema level: a whole number >= 0 (got 1.5)',
      '$.world.versions["checkout:43"].schema: must be a schema level: a whole number >= 0 (got "8")',
      '$.world.versions["checkout:43"].colour: unknown key; valid keys here are "schema", "minCompatibleSchema", "tags"',
      `$.world.versions["checkout:44"].tags["rollback-watchdog:schema"]: must be a tag value of at most 256 characters, ECS's limit (got "${'x'.repeat(56)}...)`,
      '$.world.versions["checkout-48"].tags.team: must be a tag value (a string) (got 7)',
      `$.world.versions["checkout:44"].tags: must have tag keys of 1 to 128 characters, ECS's limit (got "${'k'.repeat(56)}..., 129 characters)`,
      `$.world.versions["checkout:44"].tags: must have tag keys of 1 to 128 characters, ECS's limit (got "", 0 characters)`,
      `$.world.versions["checkout:45"].tags: must leave the task definition at most 50 tags in all (ECS's limit), counting those "schema" and "minCompatibleSchema" make (got 51 tags)`,
      `$.world.versions["checkout:46"].tags: must leave the task definition at most 50 tags in all (ECS's limit), counting those "schema" and "minCompatibleSchema" make (got 51 tags)`,
      '$.world.versions["checkout-48"]: must be keyed by a version: a task definition "family:revision", like "checkout:42", or a CodeDeploy revision label "name@rev", like "payments@r7" (deployed as the GitHub revision "name" at commit "rev") (got "checkout-48")',
    ]);
    expect(problemsOf(scenarioInput(world(['checkout:42'])))).toEqual([
      '$.world.versions: must map versions to { "schema"?, "minCompatibleSchema"?, "tags"? } (got ["checkout:42"])',
    ]);
  });

  it("derives the world's pipelines from the config's freeze entries unless the world lists them", () => {
    expect(validScenario({ config: frozenTargets, world: twoServices }).world.pipelines).toEqual([
      { name: 'shop', stages: ['Prod', 'Prod-cart'] },
    ]);
    expect(validScenario().world.pipelines).toEqual([]);
    const listed = validScenario({
      config: frozenTargets,
      world: { ...twoServices, pipelines: [{ name: 'other', stages: ['Source', 'Prod'] }] },
    });
    expect(listed.world.pipelines).toEqual([{ name: 'other', stages: ['Source', 'Prod'] }]);
  });

  it('checks listed pipelines: CodePipeline names, unique pipelines, unique stages, at least one stage', () => {
    expect(
      problemsOf(
        scenarioInput({
          world: {
            ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
            alarms: [{ name: 'checkout-5xx', watches: 'checkout' }],
            pipelines: [
              { name: 'shop', stages: ['Build', 'Prod', 'Prod'] },
              { name: 'shop', stages: ['Prod'] },
              { name: 'bad name', stages: [] },
            ],
          },
        }),
      ),
    ).toEqual([
      '$.world.pipelines[0].stages[2]: duplicate stage "Prod"; stage names are unique within a pipeline',
      '$.world.pipelines[1].name: duplicate pipeline "shop"; names must be unique',
      '$.world.pipelines[2].name: must be a CodePipeline pipeline name: 1-100 letters, digits, ".", "@", "-" or "_" (got "bad name")',
      '$.world.pipelines[2].stages: must be a non-empty list of stage names, like ["Source", "Build", "Prod"] (got [])',
    ]);
  });
});

describe('parseScenario: several regions', () => {
  const base = {
    name: 'regions',
    start: '2026-03-01T10:00:00Z',
    until: '+1h',
    config: {
      regions: ['us-east-1', 'eu-west-1'],
      targets: [
        {
          id: 'checkout',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'checkout',
          alarms: ['checkout-5xx'],
        },
      ],
    },
  };

  it('needs the world of a target in every region it is in, and names regions the config lacks', () => {
    const problems = problemsOf({
      ...base,
      world: {
        ecsServices: [
          { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41', region: 'us-east-1' },
          { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41', region: 'sa-east-1' },
        ],
        alarms: [{ name: 'checkout-5xx', watches: 'checkout' }],
      },
      timeline: [{ at: '+0s', deploy: { target: 'checkout', version: 'checkout:42', region: 'ap-south-1' } }],
      expect: { final: { 'checkout@ap-south-1': 'checkout:41' } },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        '$.world.ecsServices[1].region: sa-east-1 is not one of $.config.regions ("us-east-1", "eu-west-1")',
        expect.stringContaining(
          '$.config.targets[0]: no ECS service prod/checkout in eu-west-1 in $.world.ecsServices',
        ),
        '$.config.targets[0].alarms[0]: alarm "checkout-5xx" is not in eu-west-1, where the target is; add it to $.world.alarms with "region"',
        '$.timeline[0].deploy.region: ap-south-1 is not one of $.config.regions ("us-east-1", "eu-west-1")',
        '$.expect.final["checkout@ap-south-1"]: ap-south-1 is not one of $.config.regions ("us-east-1", "eu-west-1")',
      ]),
    );
  });

  it('accepts the same service and alarm names once per region, with cross-region delivery and outages', () => {
    const result = parseScenario({
      ...base,
      world: {
        ecsServices: ['us-east-1', 'eu-west-1'].map((region) => ({
          cluster: 'prod',
          service: 'checkout',
          taskDefinition: 'checkout:41',
          region,
        })),
        alarms: ['us-east-1', 'eu-west-1'].map((region) => ({
          name: 'checkout-5xx',
          watches: 'checkout',
          region,
        })),
        crossRegion: { delaySeconds: 30, deliveries: 2 },
        outages: [{ region: 'eu-west-1', from: '+5m', until: '+10m' }],
      },
      timeline: [{ at: '+0s', deploy: { target: 'checkout', version: 'checkout:42', region: 'eu-west-1' } }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.world.outages).toEqual([
      {
        region: 'eu-west-1',
        fromMs: Date.parse('2026-03-01T10:05:00Z'),
        untilMs: Date.parse('2026-03-01T10:10:00Z'),
      },
    ]);
  });
});
