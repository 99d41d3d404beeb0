import { SKIP_REASONS } from '../../../lambda/contract';
import {
  decideAlarm,
  emptyTargetState,
  MINUTE,
  transitionKey,
  type AlarmDecisionInput,
  type TargetState,
} from '../../../lambda/domain';
import {
  ecsTarget,
  liveCompleted,
  liveInProgress,
  provenEntry,
  SEC,
  seededState,
  T0,
  transition,
} from '../../support/domain-fixtures';

const input = (overrides: Partial<AlarmDecisionInput> = {}): AlarmDecisionInput => ({
  now: T0 + 90 * SEC,
  decisionId: 'd-1',
  transition: transition('ALARM', T0 + 60 * SEC),
  target: ecsTarget(),
  state: seededState(),
  live: liveInProgress('checkout:42', T0),
  globalPause: undefined,
  maxEventAgeMs: 60 * MINUTE,
  ...overrides,
});

describe('decideAlarm: rollback', () => {
  it('stops an in-progress bad deployment whose source is known-good', () => {
    const { decision, next } = decideAlarm(input());
    expect(decision).toMatchObject({
      outcome: 'rollback',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
      notify: 'rollback-started',
    });
    expect(decision.action).toEqual({
      kind: 'stop',
      deploymentRef: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/abc',
    });
    expect(next.rollback).toMatchObject({
      from: 'checkout:42',
      to: 'checkout:41',
      action: 'stop',
      claimedAt: T0 + 90 * SEC,
    });
    expect(next.rollback!.leaseUntil).toBeGreaterThan(T0 + 90 * SEC);
    expect(next.lastRollbackAt).toBe(T0 + 90 * SEC);
    expect(next.rollbackTimes).toEqual([T0 + 90 * SEC]);
    expect(next.ledger.find((e) => e.version === 'checkout:42')?.taintedAt).toBeDefined();
  });

  it('redeploys the known-good version after the bad deployment completed inside the watch window', () => {
    const state = seededState({
      ledger: [
        {
          version: 'checkout:42',
          status: 'completed',
          startedAt: T0,
          completedAt: T0 + 60 * SEC,
          deploymentId: 'ecs-svc/2',
        },
        provenEntry('checkout:41'),
      ],
    });
    const { decision } = decideAlarm(
      input({
        now: T0 + 5 * MINUTE,
        transition: transition('ALARM', T0 + 5 * MINUTE),
        state,
        live: liveCompleted('checkout:42', T0, T0 + 60 * SEC),
      }),
    );
    expect(decision).toMatchObject({
      outcome: 'rollback',
      from: 'checkout:42',
      to: 'checkout:41',
      action: { kind: 'redeploy', version: 'checkout:41' },
    });
  });

  it('redeploys instead of stopping when the version the platform would restore is not known-good', () => {
    const { decision } = decideAlarm(input({ live: liveInProgress('checkout:42', T0, 'checkout:40') }));
    expect(decision.action).toEqual({ kind: 'redeploy', version: 'checkout:41' });
  });

  it('seeds the ledger from the live service the first time it sees the target', () => {
    const { decision, next } = decideAlarm(input({ state: emptyTargetState('checkout') }));
    expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:41' });
    expect(next.seeded).toBe(true);
    expect(next.ledger.map((e) => e.version).sort()).toEqual(['checkout:41', 'checkout:42']);
  });

  it('reports what it would do in dry-run mode and changes nothing', () => {
    const { decision, next } = decideAlarm(input({ target: ecsTarget({ mode: 'dry-run' }) }));
    expect(decision).toMatchObject({
      outcome: 'dry-run',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
      notify: 'rollback-skipped',
    });
    expect(next.rollback).toBeUndefined();
    expect(next.lastRollbackAt).toBeUndefined();
  });
});

type Case = [
  string,
  Partial<AlarmDecisionInput> | ((i: AlarmDecisionInput) => Partial<AlarmDecisionInput>),
  string,
];

const key = transitionKey(transition('ALARM', T0 + 60 * SEC));
const completed42 = (completedAt: number): TargetState =>
  seededState({
    ledger: [
      { version: 'checkout:42', status: 'completed', startedAt: T0, completedAt, deploymentId: 'ecs-svc/2' },
      provenEntry('checkout:41'),
    ],
  });

const cases: Case[] = [
  ['duplicate', { state: seededState({ handled: [{ key, at: T0, decisionId: 'd-0' }] }) }, 'duplicate'],
  [
    'superseded',
    {
      state: seededState({
        alarms: { 'checkout-5xx': { value: 'OK', timestamp: T0 + 2 * MINUTE, since: T0 + 2 * MINUTE } },
      }),
    },
    'superseded',
  ],
  ['stale', { now: T0 + 3 * 60 * MINUTE }, 'stale'],
  [
    'not-alarm-state (OK)',
    { transition: transition('OK', T0 + 60 * SEC), live: undefined },
    'not-alarm-state',
  ],
  [
    'not-alarm-state (INSUFFICIENT_DATA)',
    { transition: transition('INSUFFICIENT_DATA', T0 + 60 * SEC), live: undefined },
    'not-alarm-state',
  ],
  [
    'paused target',
    { state: seededState({ paused: { at: T0, by: 'alice', reason: 'maintenance' } }) },
    'paused',
  ],
  ['paused watchdog', { globalPause: { at: T0, by: 'alice', reason: 'game day' } }, 'paused'],
  [
    'rollback-in-progress',
    {
      state: seededState({
        rollback: {
          decisionId: 'd-0',
          trigger: 'checkout-p99',
          reason: 'alarm',
          from: 'checkout:42',
          to: 'checkout:41',
          action: 'stop',
          claimedAt: T0 + 30 * SEC,
          leaseUntil: T0 + 30 * MINUTE,
        },
      }),
    },
    'rollback-in-progress',
  ],
  [
    'native-rollback-in-progress',
    { live: { ...liveInProgress('checkout:42', T0), nativeRollback: true } },
    'native-rollback-in-progress',
  ],
  [
    'current-is-known-good',
    {
      live: liveCompleted('checkout:41', T0 - 24 * 60 * MINUTE, T0 - 24 * 60 * MINUTE + 2 * MINUTE),
      state: seededState({ ledger: [provenEntry('checkout:41')] }),
    },
    'current-is-known-good',
  ],
  [
    'alarm-predates-deploy',
    {
      transition: transition('ALARM', T0 + 60 * SEC, {
        previousValue: 'ALARM',
        previousTimestamp: T0 - 5 * MINUTE,
      }),
    },
    'alarm-predates-deploy',
  ],
  [
    'outside-watch-window',
    (i) => ({
      now: T0 + 3 * 60 * MINUTE,
      transition: transition('ALARM', T0 + 3 * 60 * MINUTE - SEC),
      state: completed42(T0 + MINUTE),
      live: liveCompleted('checkout:42', T0, T0 + MINUTE),
      target: ecsTarget({ bakeMinutes: 600 }),
      maxEventAgeMs: i.maxEventAgeMs,
    }),
    'outside-watch-window',
  ],
  [
    'no-known-good',
    {
      state: seededState({
        ledger: [
          { version: 'checkout:42', status: 'in-progress', startedAt: T0 },
          { ...provenEntry('checkout:41'), taintedAt: T0 - MINUTE },
        ],
      }),
      live: liveInProgress('checkout:42', T0, 'checkout:41'),
    },
    'no-known-good',
  ],
  [
    'schema-incompatible',
    {
      state: seededState({
        ledger: [
          {
            version: 'checkout:42',
            status: 'in-progress',
            startedAt: T0,
            schemaFacts: { schema: 8, minCompatibleSchema: 8, readAt: T0 },
          },
          { ...provenEntry('checkout:41'), schemaFacts: { schema: 7, readAt: T0 } },
        ],
      }),
      live: liveInProgress('checkout:42', T0, 'checkout:41'),
    },
    'schema-incompatible',
  ],
  [
    'target-version-unavailable',
    {
      state: seededState({
        ledger: [
          { version: 'checkout:42', status: 'in-progress', startedAt: T0 },
          {
            ...provenEntry('checkout:41'),
            viability: { runnable: false, missing: ['image web@sha256:ab is gone'], checkedAt: T0 },
          },
        ],
      }),
      live: liveInProgress('checkout:42', T0, 'checkout:41'),
    },
    'target-version-unavailable',
  ],
  [
    'cooldown',
    { state: seededState({ lastRollbackAt: T0 - 5 * MINUTE, rollbackTimes: [T0 - 5 * MINUTE] }) },
    'cooldown',
  ],
  [
    'rate-limited',
    {
      state: seededState({
        lastRollbackAt: T0 - 20 * MINUTE,
        rollbackTimes: [T0 - 40 * MINUTE, T0 - 20 * MINUTE],
      }),
    },
    'rate-limited',
  ],
  ['target-invalid', { live: { kind: 'invalid', why: 'service checkout is INACTIVE' } }, 'target-invalid'],
];

describe('decideAlarm: skips', () => {
  it.each(cases)('%s', (_name, overrides, reason) => {
    const base = input();
    const { decision } = decideAlarm({
      ...base,
      ...(typeof overrides === 'function' ? overrides(base) : overrides),
    });
    expect(decision).toMatchObject({ outcome: 'skip', reason });
    expect(decision.action).toBeUndefined();
  });

  it('covers every skip reason of the contract except those decided elsewhere', () => {
    const covered = new Set(cases.map((c) => c[2]));
    // unknown-alarm: before any target is looked at; approval-expired: by the sweep (domain/operator.ts);
    // target-changed: after the claim (domain/claim.ts); the rest: declined operator commands.
    expect(SKIP_REASONS.filter((r) => !covered.has(r))).toEqual([
      'unknown-alarm',
      'approval-expired',
      'target-changed',
      'version-not-known-good',
      'version-unknown',
      'nothing-to-approve',
      'already-current',
      // A quarantine from another region's (test/unit/domain/quarantine.test.ts).
      'version-not-serving',
    ]);
  });

  it('reports the reason of highest precedence when several apply', () => {
    const state = seededState({
      paused: { at: T0, by: 'alice', reason: 'x' },
      lastRollbackAt: T0,
      rollbackTimes: [T0, T0],
    });
    expect(decideAlarm(input({ state })).decision.reason).toBe('paused');
    expect(decideAlarm(input({ state, now: T0 + 3 * 60 * MINUTE })).decision.reason).toBe('stale');
  });

  it('escalates no-known-good, rate-limited and target-invalid', () => {
    for (const [, overrides, reason] of cases.filter((c) =>
      ['no-known-good', 'rate-limited', 'target-invalid'].includes(c[2]),
    )) {
      const { decision } = decideAlarm({ ...input(), ...(typeof overrides === 'function' ? {} : overrides) });
      expect(decision).toMatchObject({ reason, escalate: true, notify: 'escalation' });
    }
  });

  it('records the transition so that the same transition is a duplicate next time', () => {
    const first = decideAlarm(input({ state: seededState({ paused: { at: T0, by: 'a', reason: 'b' } }) }));
    expect(decideAlarm(input({ state: first.next })).decision.reason).toBe('duplicate');
  });

  it('treats ALARM -> ALARM (composite suppression ended) as alarmed since the earlier transition', () => {
    const t = transition('ALARM', T0 + 2 * MINUTE, {
      previousValue: 'ALARM',
      previousTimestamp: T0 + 60 * SEC,
    });
    expect(decideAlarm(input({ now: T0 + 2 * MINUTE, transition: t })).decision.outcome).toBe('rollback');
  });

  it('taints an unproven version when a trigger alarm fires while it serves', () => {
    const { next } = decideAlarm(input({ state: seededState({ paused: { at: T0, by: 'a', reason: 'b' } }) }));
    expect(next.ledger.find((e) => e.version === 'checkout:42')).toMatchObject({
      taintReason: expect.stringContaining('checkout-5xx'),
    });
    expect(next.ledger.find((e) => e.version === 'checkout:41')?.taintedAt).toBeUndefined();
  });

  it('ignores an expired lease left by a crashed invocation', () => {
    const state = seededState({
      rollback: {
        decisionId: 'd-0',
        trigger: 'checkout-p99',
        reason: 'alarm',
        from: 'checkout:42',
        to: 'checkout:41',
        action: 'stop',
        claimedAt: T0 - 60 * MINUTE,
        leaseUntil: T0 - 30 * MINUTE,
      },
    });
    expect(decideAlarm(input({ state })).decision.outcome).toBe('rollback');
  });
});

describe('decideAlarm: a completion the platform does not date (completedAtObserved)', () => {
  const now = T0 + 3 * 60 * MINUTE;
  const late = (observed: boolean) => {
    const live = liveCompleted('checkout:42', T0, now);
    return decideAlarm({
      ...input(),
      now,
      transition: transition('ALARM', now - SEC),
      // The ledger saw the same deployment complete at T0 + 1 min; this read only says "finished by now".
      state: completed42(T0 + MINUTE),
      live: observed ? { ...live, latest: { ...live.latest!, completedAtObserved: true } } : live,
      target: ecsTarget({ bakeMinutes: 600 }),
    }).decision;
  };

  it('measures the watch window from the ledger’s first observation, not from the read', () => {
    expect(late(true)).toMatchObject({ outcome: 'skip', reason: 'outside-watch-window' });
  });

  it('keeps the platform’s own completion time first when it has one', () => {
    expect(late(false)).toMatchObject({ outcome: 'rollback' });
  });
});
