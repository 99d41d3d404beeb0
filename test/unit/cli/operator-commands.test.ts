import {
  OperatorTransportError,
  type HistoryItem,
  type OperatorRequest,
  type OperatorResponse,
  type StatusResult,
} from '../../../lambda/contract';
import { fakeOperator, runCli, type RunOptions } from './support';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ALICE = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';

const ok = (result: unknown): OperatorResponse => ({ ok: true, result });
const fail = (
  code: 'invalid-request' | 'unknown-target' | 'not-found' | 'refused' | 'unavailable',
  message: string,
): OperatorResponse => ({
  ok: false,
  error: { code, message },
});

/** Runs `watchdog <argv>` against a fake deployed watchdog that answers with `answer`. */
async function run(
  argv: readonly string[],
  answer: (request: OperatorRequest) => OperatorResponse | Promise<OperatorResponse>,
  options: RunOptions & { connectError?: Error } = {},
) {
  const { environment, calls } = fakeOperator(answer, { start: NOW, connectError: options.connectError });
  const result = await runCli(argv, { ...options, operator: environment });
  return { ...result, calls };
}

const STATUS: StatusResult = {
  targets: [
    {
      target: 'checkout',
      type: 'ecs-service',
      mode: 'auto',
      currentVersion: 'checkout:41',
      knownGoodVersion: 'checkout:41',
      lastDecision: {
        at: '2026-03-01T11:55:00Z',
        outcome: 'rollback',
        reason: 'alarm',
        trigger: 'checkout-5xx',
      },
      verification: { until: '2026-03-01T12:10:00Z', alarms: ['checkout-5xx'] },
      cooldownSecondsLeft: 600,
    },
    {
      target: 'payments',
      type: 'codedeploy',
      mode: 'approval',
      currentVersion: 'payments-v7',
      knownGoodVersion: 'payments-v6',
      pendingApproval: {
        from: 'payments-v7',
        to: 'payments-v6',
        expiresAt: '2026-03-01T12:15:00Z',
        trigger: 'payments-errors',
      },
      lastDecision: {
        at: '2026-03-01T11:59:30Z',
        outcome: 'approval-requested',
        reason: 'alarm',
        trigger: 'payments-errors',
      },
      cooldownSecondsLeft: 0,
    },
    {
      target: 'search',
      type: 'ecs-service',
      mode: 'dry-run',
      cooldownSecondsLeft: 0,
      paused: { by: ALICE, reason: 'reindex', at: '2026-03-01T11:00:00Z' },
      frozen: { pipeline: 'search-pipeline', stage: 'Prod' },
    },
  ],
};

/** As the watchdog returns it: oldest first. */
const HISTORY: HistoryItem[] = [
  {
    at: '2026-03-01T11:50:00Z',
    target: 'checkout',
    kind: 'operator',
    outcome: 'pause',
    by: ALICE,
    detail: 'db migration',
  },
  {
    at: '2026-03-01T11:55:00.123Z',
    target: 'checkout',
    kind: 'decision',
    outcome: 'rollback',
    reason: 'alarm',
    trigger: 'checkout-5xx',
    from: 'checkout:42',
    to: 'checkout:41',
    detail: 'checkout-5xx in ALARM 2m after checkout:42 started',
  },
];

describe('watchdog status', () => {
  it('prints one aligned row per target, then what needs a human with the command for it', async () => {
    const result = await run(['status'], () => ok(STATUS));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.calls.requests).toEqual([{ command: 'status' }]);
    expect(result.calls.locations).toEqual([{ stackName: 'RollbackWatchdog' }]);
    expect(result.stdout.split('\n')).toEqual([
      'TARGET    TYPE         MODE      CURRENT      KNOWN-GOOD   STATE                    LAST DECISION                        COOLDOWN',
      'checkout  ecs-service  auto      checkout:41  checkout:41  verifying                rollback (alarm), 5m00s ago          10m00s',
      'payments  codedeploy   approval  payments-v7  payments-v6  awaiting approval        approval-requested (alarm), 30s ago  -',
      'search    ecs-service  dry-run   -            -            paused, pipeline frozen  -                                    -',
      '',
      'checkout: verifying until 2026-03-01 12:10:00Z that its alarms return to OK (checkout-5xx)',
      'payments: waiting for approval to roll back payments-v7 → payments-v6 (trigger payments-errors) until 2026-03-01 12:15:00Z. Approve: watchdog approve payments',
      `search: paused by ${ALICE} at 2026-03-01 11:00:00Z: reindex. Resume: watchdog resume search`,
      'search: pipeline search-pipeline is frozen at stage Prod. Unfreeze: watchdog resume search',
      '',
    ]);
  });

  it('says when a fast-tracked rollback still owes the service its deployment settings', async () => {
    const status: StatusResult = {
      targets: [
        {
          target: 'checkout',
          type: 'ecs-service',
          mode: 'auto',
          cooldownSecondsLeft: 0,
          settingsRestore: { decisionId: 'd-7', since: '2026-03-01T11:55:00Z' },
        },
      ],
    };
    const result = await run(['status'], () => ok(status));
    expect(result.stdout).toContain(
      'checkout: runs the fast-track deployment settings of rollback d-7 since 2026-03-01 11:55:00Z; its own are put back once that rollback has ended (next decision or sweep)',
    );
  });

  it('says so first when the whole watchdog is paused, and shows a rollback in progress', async () => {
    const status: StatusResult = {
      watchdogPaused: { by: ALICE, reason: 'game day', at: '2026-03-01T10:00:00Z' },
      targets: [
        {
          target: 'checkout',
          type: 'ecs-service',
          mode: 'auto',
          currentVersion: 'checkout:41',
          rollback: {
            from: 'checkout:42',
            to: 'checkout:41',
            since: '2026-03-01T11:58:00Z',
            trigger: 'checkout-5xx',
          },
          cooldownSecondsLeft: 840,
        },
      ],
    };
    const result = await run(['status', 'checkout'], () => ok(status));
    expect(result.calls.requests).toEqual([{ command: 'status', target: 'checkout' }]);
    expect(result.stdout).toMatch(
      new RegExp(
        `^The whole watchdog is PAUSED by ${ALICE} since 2026-03-01 10:00:00Z: game day\\. Resume: watchdog resume\n\nTARGET `,
      ),
    );
    expect(result.stdout).toContain(
      'checkout: rolling back checkout:42 → checkout:41 since 2026-03-01 11:58:00Z (trigger checkout-5xx)',
    );
    expect(result.stdout).toMatch(/rolling back +- +14m00s\n/);
  });

  it('says when there are no targets', async () => {
    expect((await run(['status'], () => ok({ targets: [] }))).stdout).toBe('No targets.\n');
  });

  it('prints the status as JSON with --json', async () => {
    const result = await run(['status', '--json'], () => ok(STATUS));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(STATUS);
  });

  it('finds the stack by --stack, then WATCHDOG_STACK_NAME, with --region and --profile', async () => {
    const env = { env: { WATCHDOG_STACK_NAME: 'Watchdog-Prod' } };
    expect((await run(['status'], () => ok(STATUS), env)).calls.locations).toEqual([
      { stackName: 'Watchdog-Prod' },
    ]);
    expect(
      (
        await run(
          ['status', '--stack', 'Other', '--region', 'eu-west-1', '--profile', 'oncall'],
          () => ok(STATUS),
          env,
        )
      ).calls.locations,
    ).toEqual([{ stackName: 'Other', region: 'eu-west-1', profile: 'oncall' }]);
  });

  it('takes the region from --region, then AWS_REGION, then AWS_DEFAULT_REGION (as the AWS CLI does)', async () => {
    const regionOf = async (argv: string[], env: Record<string, string>) =>
      (await run(argv, () => ok(STATUS), { env })).calls.locations[0]?.region;
    expect(await regionOf(['status'], { AWS_DEFAULT_REGION: 'eu-north-1' })).toBe('eu-north-1');
    expect(await regionOf(['status'], { AWS_DEFAULT_REGION: 'eu-north-1', AWS_REGION: 'eu-west-3' })).toBe(
      'eu-west-3',
    );
    expect(
      await regionOf(['status', '--region', 'ap-south-1'], {
        AWS_DEFAULT_REGION: 'eu-north-1',
        AWS_REGION: 'eu-west-3',
      }),
    ).toBe('ap-south-1');
    // Neither: the SDK takes the profile's region.
    expect(await regionOf(['status'], { AWS_REGION: '' })).toBeUndefined();
  });

  it('exits 2 for an unknown target, with a hint, and reports the error as JSON with --json', async () => {
    const answer = () => fail('unknown-target', 'no target "chekout"; targets: checkout, payments');
    const result = await run(['status', 'chekout'], answer);
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        'watchdog status: no target "chekout"; targets: checkout, payments (unknown-target)\nRun `watchdog status` to list the targets.\n',
    });
    const json = await run(['status', 'chekout', '--json'], answer);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'unknown-target', message: 'no target "chekout"; targets: checkout, payments' },
    });
  });

  it('exits 3 when the answer is not a status', async () => {
    const result = await run(['status'], () => ok({ rows: [] }));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^watchdog status: the operator function answered with an unexpected status result/,
    );
  });
});

describe('watchdog history', () => {
  it('sends --since as a time and --limit, and prints a table with short principals', async () => {
    const result = await run(['history', 'checkout', '--since', '2h', '--limit', '50'], () => ok(HISTORY));
    expect(result.code).toBe(0);
    expect(result.calls.requests).toEqual([
      { command: 'history', target: 'checkout', sinceMs: NOW - 2 * 3_600_000, limit: 50 },
    ]);
    expect(result.stdout.split('\n')).toEqual([
      'AT                    TARGET    KIND      OUTCOME           CHANGE                     BY                         DETAIL',
      '2026-03-01 11:50:00Z  checkout  operator  pause             -                          assumed-role/OnCall/alice  db migration',
      '2026-03-01 11:55:00Z  checkout  decision  rollback (alarm)  checkout:42 → checkout:41  -                          checkout-5xx in ALARM 2m after checkout:42 started',
      '',
    ]);
  });

  it('marks drill decisions with their timing', async () => {
    const drill: HistoryItem = {
      at: '2026-03-01T11:40:00Z',
      target: 'checkout',
      kind: 'decision',
      outcome: 'dry-run',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
      detail: 'would roll back',
      drill: { id: 'd-1', live: false, alarmToDecisionMs: 1840 },
    };
    const result = await run(['history'], () => ok([drill]));
    expect(result.stdout).toContain('would roll back [drill d-1: 1.8s alarm to decision]\n');
  });

  it('says when nothing matched', async () => {
    const result = await run(['history', 'checkout', '--since', '2026-03-01T11:00:00Z'], () => ok([]));
    expect(result.stdout).toBe('No history entries for checkout since 2026-03-01 11:00:00Z.\n');
  });

  it('prints the items with --json', async () => {
    const result = await run(['history', '--json'], () => ok(HISTORY));
    expect(JSON.parse(result.stdout)).toEqual(HISTORY);
  });

  it('exits 2 on a bad --since without calling AWS', async () => {
    const result = await run(['history', '--since', 'last tuesday'], () => ok([]));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^watchdog history: --since: must be how long ago/);
    expect(result.stderr).toContain('Usage: watchdog history [target] [--since <when>]');
    expect(result.calls.locations).toEqual([]);
  });
});

describe('watchdog pause, resume, approve, rollback', () => {
  const done = (message: string, extra: object = {}) => ok({ done: true, message, ...extra });

  it("pause sends the reason and prints the watchdog's answer", async () => {
    const result = await run(['pause', 'checkout', '--reason', 'db migration'], () =>
      done('checkout paused: automatic rollbacks are off until `watchdog resume checkout`', {
        target: 'checkout',
      }),
    );
    expect(result.code).toBe(0);
    expect(result.calls.requests).toEqual([{ command: 'pause', target: 'checkout', reason: 'db migration' }]);
    expect(result.stdout).toBe(
      'checkout paused: automatic rollbacks are off until `watchdog resume checkout`\n',
    );
  });

  it('pause without --reason exits 2 before touching AWS', async () => {
    const result = await run(['pause', 'checkout'], () => done('x'));
    expect(result).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        'watchdog pause: --reason is required: say why, e.g. --reason "db migration"\n' +
        'Usage: watchdog pause [target] --reason <text> [--for <duration>] [--json] [--stack <name>] [--region <region>] [--profile <name>]\n' +
        'Run `watchdog pause --help` for details.\n',
    });
    expect(result.calls.locations).toEqual([]);
  });

  it('resume of the whole watchdog prints the CommandResult as JSON with --json', async () => {
    const answer = { done: true, message: 'the watchdog resumed' };
    const result = await run(['resume', '--json'], () => ok(answer));
    expect(result.calls.requests).toEqual([{ command: 'resume' }]);
    expect(JSON.parse(result.stdout)).toEqual(answer);
  });

  it('approve prints the decision it led to', async () => {
    const result = await run(['approve', 'payments'], () =>
      done('rolling back payments (approved)', {
        decision: { outcome: 'rollback', reason: 'approved', from: 'payments-v7', to: 'payments-v6' },
      }),
    );
    expect(result.calls.requests).toEqual([{ command: 'approve', target: 'payments' }]);
    expect(result.stdout).toBe(
      'rolling back payments (approved)\n  decision: rollback (approved), payments-v7 → payments-v6\n',
    );
  });

  it('approve with nothing to approve exits 1', async () => {
    const result = await run(['approve', 'payments'], () =>
      fail('not-found', 'payments has no pending approval'),
    );
    expect(result).toMatchObject({
      code: 1,
      stderr: 'watchdog approve: payments has no pending approval (not-found)\n',
    });
  });

  it('rollback to a version outside the ledger is refused (exit 1) with the --force hint; --force sends force', async () => {
    const answer = (request: OperatorRequest) =>
      request.command === 'rollback' && request.force
        ? done('rolling back checkout to checkout:30 (forced)', {
            decision: { outcome: 'rollback', reason: 'manual', from: 'checkout:42', to: 'checkout:30' },
          })
        : fail('refused', 'checkout:30 is not in the known-good ledger of checkout');
    const refused = await run(
      ['rollback', 'checkout', '--to', 'checkout:30', '--reason', 'bad deploy'],
      answer,
    );
    expect(refused).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'watchdog rollback: checkout:30 is not in the known-good ledger of checkout (refused)\n' +
        'If checkout:30 is outside the known-good ledger and you are sure, add --force.\n',
    });
    const forced = await run(
      ['rollback', 'checkout', '--to', 'checkout:30', '--reason', 'bad deploy', '--force', '--json'],
      answer,
    );
    expect(forced.code).toBe(0);
    expect(forced.calls.requests).toEqual([
      { command: 'rollback', target: 'checkout', to: 'checkout:30', reason: 'bad deploy', force: true },
    ]);
    expect(JSON.parse(forced.stdout)).toEqual({
      done: true,
      message: 'rolling back checkout to checkout:30 (forced)',
      decision: { outcome: 'rollback', reason: 'manual', from: 'checkout:42', to: 'checkout:30' },
    });
  });

  it('exits 3 when the watchdog is unavailable', async () => {
    const result = await run(['resume', 'checkout'], () =>
      fail('unavailable', 'the state table is throttling'),
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      'watchdog resume: the state table is throttling (unavailable)\nTry again in a moment; if it persists, check the operator function logs.\n',
    );
  });

  it('exits 2 when the watchdog rejects the request as invalid', async () => {
    const result = await run(['approve', 'payments'], () => fail('invalid-request', '$.target: bad'));
    expect(result.code).toBe(2);
  });

  it('exits 3 when the answer is not a command result', async () => {
    expect((await run(['resume'], () => ok('done'))).code).toBe(3);
  });
});

describe('transport failures', () => {
  it.each([
    ['no-credentials', 'no AWS credentials found: set AWS_PROFILE or run `aws sso login`', 2],
    ['no-region', 'no AWS region: set AWS_REGION', 2],
    ['unknown-profile', 'the AWS profile nope (--profile) does not exist', 2],
    [
      'stack-not-found',
      'stack RollbackWatchdog not found in eu-west-1: deploy it with `npx cdk deploy` or pass --stack',
      2,
    ],
    ['not-a-watchdog-stack', 'stack X has no OperatorUrl output', 2],
    ['forbidden', 'you are not allowed to call the operator function', 2],
    ['throttled', 'throttled', 3],
    ['unreachable', 'cannot reach the operator function', 3],
    ['aws', 'reading the stack failed', 3],
  ] as const)('%s while connecting: the message on stderr, exit %i', async (kind, message, code) => {
    const result = await run(['status'], () => ok(STATUS), {
      connectError: new OperatorTransportError(kind, message),
    });
    expect(result).toMatchObject({ code, stdout: '', stderr: `watchdog status: ${message}\n` });
  });

  it('a 403 on the call itself exits 2', async () => {
    const result = await run(['pause', '--reason', 'x'], () => {
      throw new OperatorTransportError(
        'forbidden',
        'you are not allowed to call the operator function: needs ...',
      );
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'watchdog pause: you are not allowed to call the operator function: needs ...\n',
    );
  });

  it('an unexpected error exits 3 and shows it', async () => {
    const result = await run(['status'], () => {
      throw new TypeError('boom');
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^watchdog status: unexpected error: TypeError: boom/);
  });
});

describe('spinner', () => {
  const slow = () => new Promise<OperatorResponse>((resolve) => setTimeout(() => resolve(ok(STATUS)), 200));

  it('spins on stderr while waiting, on a terminal, and clears its line before the output', async () => {
    const result = await run(['status'], slow, { stderrIsTTY: true });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('⠋ finding the watchdog stack RollbackWatchdog…');
    expect(result.stderr).toContain('asking the watchdog for its status…');
    expect(result.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(result.stdout).toMatch(/^TARGET /);
  });

  it('stays silent with --json or when stderr is not a terminal', async () => {
    expect((await run(['status', '--json'], slow, { stderrIsTTY: true })).stderr).toBe('');
    expect((await run(['status'], slow, { stderrIsTTY: false })).stderr).toBe('');
  });

  it('is cleared before an error message', async () => {
    const result = await run(['status'], () => fail('unavailable', 'down'), { stderrIsTTY: true });
    expect(result.stderr).toContain('\r\u001b[2Kwatchdog status: down (unavailable)\n');
  });
});

describe('watchdog drill', () => {
  const DRILL = { id: 'drill-7f3a', alarm: 'checkout-5xx', live: false };
  const decision = (live: boolean, extra: Partial<HistoryItem> = {}): HistoryItem => ({
    at: '2026-03-01T12:00:05Z',
    target: 'checkout',
    kind: 'decision',
    outcome: 'dry-run',
    reason: 'alarm',
    trigger: 'checkout-5xx',
    from: 'checkout:42',
    to: 'checkout:41',
    detail: 'checkout-5xx in ALARM 3m after checkout:42 started; would stop the deployment',
    drill: { id: DRILL.id, live, alarmToDecisionMs: 1840 },
    ...extra,
  });

  /** The watchdog: starts the drill, and its decision shows up in the history on the `after`-th poll. */
  function drillingWatchdog(item: HistoryItem | undefined, after = 3, drill: object = DRILL) {
    let polls = 0;
    return (request: OperatorRequest): OperatorResponse => {
      if (request.command === 'drill')
        return ok({
          target: 'checkout',
          done: true,
          message: `drill ${DRILL.id} started: checkout-5xx forced to ALARM`,
          drill,
        });
      polls += 1;
      const other: HistoryItem = {
        at: '2026-03-01T11:00:00Z',
        target: 'checkout',
        kind: 'operator',
        detail: 'resumed',
      };
      return ok(polls >= after && item ? [other, item] : [other]);
    };
  }

  it('starts the drill, polls the history every 2 s until its decision appears, and reports it', async () => {
    const result = await run(['drill', 'checkout'], drillingWatchdog(decision(false)));
    expect(result.code).toBe(0);
    expect(result.calls.requests).toEqual([
      { command: 'drill', target: 'checkout' },
      ...Array(3).fill({ command: 'history', target: 'checkout', sinceMs: NOW - 5 * 60_000, limit: 100 }),
    ]);
    expect(result.calls.sleeps).toEqual([2000, 2000]);
    expect(result.stdout.split('\n')).toEqual([
      'Drill drill-7f3a on checkout (dry run): checkout-5xx forced to ALARM.',
      '  decision:           would roll back checkout from checkout:42 to checkout:41',
      '  alarm to decision:  1.8s',
      '  detail:             checkout-5xx in ALARM 3m after checkout:42 started; would stop the deployment',
      '  Nothing was changed: a drill is a dry run unless --live.',
      '',
    ]);
  });

  it('sends --live and --alarm, and says what it did', async () => {
    const live = decision(true, { outcome: 'rollback', detail: 'stopped the deployment with rollback' });
    const result = await run(
      ['drill', 'checkout', '--live', '--alarm', 'checkout-5xx'],
      drillingWatchdog(live, 1, { ...DRILL, live: true }),
    );
    expect(result.code).toBe(0);
    expect(result.calls.requests[0]).toEqual({
      command: 'drill',
      target: 'checkout',
      live: true,
      alarm: 'checkout-5xx',
    });
    expect(result.calls.sleeps).toEqual([]);
    expect(result.stdout).toContain('(live)');
    expect(result.stdout).toContain(
      '  decision:           rolled back checkout from checkout:42 to checkout:41\n',
    );
    expect(result.stdout).not.toContain('Nothing was changed');
  });

  it('reports a skip as what it would have skipped, and why', async () => {
    const skip = decision(false, { outcome: 'skip', reason: 'cooldown', from: undefined, to: undefined });
    const result = await run(['drill', 'checkout'], drillingWatchdog(skip, 1));
    expect(result.stdout).toContain('  decision:           would skip: cooldown\n');
  });

  it('prints drill, message, decision and alarmToDecisionMs with --json', async () => {
    const result = await run(['drill', 'checkout', '--json'], drillingWatchdog(decision(false), 2));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      drill: { target: 'checkout', id: DRILL.id, alarm: 'checkout-5xx', live: false },
      message: `drill ${DRILL.id} started: checkout-5xx forced to ALARM`,
      decision: decision(false),
      alarmToDecisionMs: 1840,
    });
  });

  it('gives up after --timeout with exit 3, and says where to look', async () => {
    const result = await run(['drill', 'checkout', '--timeout', '5s'], drillingWatchdog(undefined));
    expect(result.code).toBe(3);
    expect(result.calls.sleeps).toEqual([2000, 2000, 1000]);
    expect(result.stdout).toBe(`drill ${DRILL.id} started: checkout-5xx forced to ALARM\n`);
    expect(result.stderr).toBe(
      `watchdog drill: no decision for drill ${DRILL.id} on checkout within 5s. The alarm may not have reached the watchdog yet: check \`watchdog history checkout --since 10m\`, or wait longer with --timeout.\n`,
    );
    const json = await run(['drill', 'checkout', '--timeout', '3s', '--json'], drillingWatchdog(undefined));
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ decision: null, alarmToDecisionMs: null });
  });

  it('waits the default 120 s', async () => {
    const result = await run(['drill', 'checkout'], drillingWatchdog(undefined));
    expect(result.code).toBe(3);
    expect(result.calls.sleeps.reduce((a, b) => a + b, 0)).toBe(120_000);
    expect(result.calls.sleeps.length).toBe(60);
  });

  it('prints the answer and stops when no drill was started', async () => {
    const result = await run(['drill', 'checkout'], () =>
      ok({ target: 'checkout', done: false, message: 'checkout is paused: resume it before drilling' }),
    );
    expect(result).toMatchObject({ code: 0, stdout: 'checkout is paused: resume it before drilling\n' });
    expect(result.calls.requests).toHaveLength(1);
  });

  it('exits 1 when the drill is refused, and reports a failing history poll', async () => {
    expect((await run(['drill', 'checkout'], () => fail('refused', 'no alarm to force'))).code).toBe(1);
    const answer = (request: OperatorRequest) =>
      request.command === 'drill'
        ? ok({ done: true, message: 'started', drill: DRILL })
        : fail('unavailable', 'history is unavailable');
    const result = await run(['drill', 'checkout'], answer);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^watchdog drill: history is unavailable \(unavailable\)/);
  });
});
