import { SKIP_REASONS } from '../../../lambda/contract';
import {
  ALARM_SKIP_PRECEDENCE,
  applicableSkips,
  decideAlarm,
  MINUTE,
  transitionKey,
  type AlarmDecisionInput,
  type AlarmSkipReason,
  type LedgerEntry,
  type LiveTarget,
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

/**
 * The precedence of skip reasons (docs/decisions.md, "Precedence of skip reasons"), proved pair by pair: for
 * every two reasons, an input where both apply is built from one condition per reason, and the one earlier in
 * the order must be reported. Pairs that cannot both apply (their conditions contradict each other) are
 * listed, so that the list cannot grow unnoticed.
 */

type Condition = AlarmSkipReason;
const HOUR = 60 * MINUTE;

/** One input where every condition in `on` holds (as far as they can hold together). */
function build(on: ReadonlySet<Condition>): AlarmDecisionInput {
  const has = (c: Condition) => on.has(c);
  const outside = has('outside-watch-window');
  const now = outside ? T0 + 3 * HOUR : T0 + 90 * SEC;
  const stamp = has('stale') ? now - 2 * HOUR : outside ? now - SEC : T0 + 60 * SEC;
  const t = transition(has('not-alarm-state') ? 'OK' : 'ALARM', stamp, {
    ...(has('alarm-predates-deploy')
      ? { previousValue: 'ALARM' as const, previousTimestamp: T0 - 5 * MINUTE }
      : {}),
  });

  let live: LiveTarget;
  if (has('target-invalid')) live = { kind: 'invalid', why: 'service checkout is INACTIVE' };
  else if (has('current-is-known-good'))
    live = liveCompleted('checkout:41', T0 - 24 * HOUR, T0 - 24 * HOUR + 2 * MINUTE);
  else if (outside) live = liveCompleted('checkout:42', T0, T0 + MINUTE);
  else live = liveInProgress('checkout:42', T0);
  if (has('native-rollback-in-progress') && live.kind === 'ok') live = { ...live, nativeRollback: true };

  // When the current version is the known-good one, it is also the only one: no-known-good holds by itself.
  const known: LedgerEntry = {
    ...(has('no-known-good') && !has('current-is-known-good')
      ? { ...provenEntry('checkout:41'), taintedAt: T0 - MINUTE }
      : provenEntry('checkout:41')),
    // The schema gate: checkout:42 migrated the database to 8, where nothing older than 8 runs.
    ...(has('schema-incompatible') ? { schemaFacts: { schema: 7, readAt: T0 } } : {}),
    // The viability preflight: its image was found gone from ECR.
    ...(has('target-version-unavailable')
      ? { viability: { runnable: false, missing: ['image checkout:41 is gone'], checkedAt: T0 } }
      : {}),
  };
  const migrated = has('schema-incompatible')
    ? { schemaFacts: { schema: 8, minCompatibleSchema: 8, readAt: T0 } }
    : {};
  const newest: LedgerEntry = outside
    ? {
        version: 'checkout:42',
        status: 'completed',
        startedAt: T0,
        completedAt: T0 + MINUTE,
        deploymentId: 'ecs-svc/2',
        ...migrated,
      }
    : {
        version: 'checkout:42',
        status: 'in-progress',
        startedAt: T0,
        deploymentId: 'ecs-svc/2',
        ...migrated,
      };
  const rollbackTimes = [
    ...(has('rate-limited') ? [now - 40 * MINUTE] : []),
    ...(has('cooldown') ? [now - 5 * MINUTE] : has('rate-limited') ? [now - 20 * MINUTE] : []),
  ];
  const state = seededState({
    ledger: has('current-is-known-good') ? [known] : [newest, known],
    handled: has('duplicate') ? [{ key: transitionKey(t), at: now - SEC, decisionId: 'd-0' }] : [],
    alarms: has('superseded')
      ? { 'checkout-5xx': { value: 'OK', timestamp: stamp + SEC, since: stamp + SEC } }
      : {},
    ...(has('paused') ? { paused: { at: T0, by: 'alice', reason: 'maintenance' } } : {}),
    ...(has('rollback-in-progress')
      ? {
          rollback: {
            decisionId: 'd-0',
            trigger: 'checkout-p99',
            reason: 'alarm' as const,
            from: 'checkout:42',
            to: 'checkout:41',
            action: 'stop' as const,
            claimedAt: now - 30 * SEC,
            leaseUntil: now + 30 * MINUTE,
          },
        }
      : {}),
    rollbackTimes,
    ...(rollbackTimes.length > 0 ? { lastRollbackAt: Math.max(...rollbackTimes) } : {}),
  });
  return {
    now,
    decisionId: 'd-1',
    transition: t,
    // A long bake keeps a completed checkout:42 unproven, so that outside-watch-window is about the window.
    target: ecsTarget(outside ? { bakeMinutes: 600 } : {}),
    state,
    live,
    globalPause: undefined,
    maxEventAgeMs: HOUR,
  };
}

/** Pairs whose conditions contradict each other, with why. */
const IMPOSSIBLE: ReadonlyArray<readonly [Condition, Condition, string]> = [
  ['target-invalid', 'native-rollback-in-progress', 'an unreadable target reports no rollback'],
  ['target-invalid', 'current-is-known-good', 'an unreadable target has no current version'],
  ['target-invalid', 'alarm-predates-deploy', 'an unreadable target has no deployment to predate'],
  ['target-invalid', 'outside-watch-window', 'an unreadable target has no deployment'],
  ['target-invalid', 'no-known-good', 'an unreadable target has no current version to exclude'],
  ['target-invalid', 'schema-incompatible', 'an unreadable target has no current version to exclude'],
  ['no-known-good', 'schema-incompatible', 'with no known-good version there is none to refuse'],
  ['target-invalid', 'target-version-unavailable', 'an unreadable target has no current version to exclude'],
  ['no-known-good', 'target-version-unavailable', 'with no known-good version there is none to find gone'],
  [
    'target-version-unavailable',
    'schema-incompatible',
    'the one known-good version is either gone (nothing left for the gate) or there for the gate to refuse',
  ],
  [
    'current-is-known-good',
    'target-version-unavailable',
    'the known-good version runs, and it is the only one: none other to find gone',
  ],
  [
    'current-is-known-good',
    'schema-incompatible',
    'the known-good version runs, and it is the only one: none other to refuse',
  ],
  ['current-is-known-good', 'alarm-predates-deploy', 'the known-good version started a day before the alarm'],
  [
    'not-alarm-state',
    'alarm-predates-deploy',
    'a transition to OK is not an alarm that could predate anything',
  ],
];
const impossible = (a: Condition, b: Condition) =>
  IMPOSSIBLE.some(([x, y]) => (x === a && y === b) || (x === b && y === a));

/** The order as docs/decisions.md writes it (unknown-alarm is decided before any target is looked at). */
const CONTRACT_ORDER: readonly AlarmSkipReason[] = [
  'duplicate',
  'superseded',
  'stale',
  'not-alarm-state',
  'paused',
  'rollback-in-progress',
  'target-invalid',
  'native-rollback-in-progress',
  'current-is-known-good',
  'alarm-predates-deploy',
  'outside-watch-window',
  'no-known-good',
  'target-version-unavailable',
  'schema-incompatible',
  'cooldown',
  'rate-limited',
];

const pairs = CONTRACT_ORDER.flatMap((a, i) => CONTRACT_ORDER.slice(i + 1).map((b) => [a, b] as const));

describe('skip precedence', () => {
  it('is the contract order, in the engine’s table and the contract module alike', () => {
    expect([...ALARM_SKIP_PRECEDENCE]).toEqual(CONTRACT_ORDER);
    const contract = SKIP_REASONS.filter((r) => (CONTRACT_ORDER as readonly string[]).includes(r));
    expect(contract).toEqual(CONTRACT_ORDER);
    const at = (r: AlarmSkipReason) => ALARM_SKIP_PRECEDENCE.indexOf(r);
    expect(at('target-invalid')).toBe(at('rollback-in-progress') + 1);
  });

  it.each(CONTRACT_ORDER.map((r) => [r]))('%s alone: applies and is reported', (reason) => {
    const input = build(new Set([reason]));
    expect(applicableSkips(input)).toContain(reason);
    expect(decideAlarm(input).decision).toMatchObject({ outcome: 'skip', reason });
  });

  it.each(pairs)('%s before %s', (first, second) => {
    const input = build(new Set([first, second]));
    const applies = applicableSkips(input);
    if (impossible(first, second)) {
      expect(applies.includes(first) && applies.includes(second)).toBe(false);
      return;
    }
    expect(applies).toEqual(expect.arrayContaining([first, second]));
    expect(decideAlarm(input).decision.reason).toBe(first);
  });

  it('with no condition set, rolls back (the base input is a genuine incident)', () => {
    expect(applicableSkips(build(new Set()))).toEqual([]);
    expect(decideAlarm(build(new Set())).decision).toMatchObject({ outcome: 'rollback' });
  });
});
