import {
  abandonedQuarantines,
  decideAlarm,
  dueQuarantines,
  freshQuarantine,
  MINUTE,
  oweQuarantine,
  QUARANTINE_GIVE_UP_MS,
  quarantineOf,
  quarantineReceived,
  quarantineReported,
  quarantineSent,
  quarantineTransition,
  unconfirmedQuarantines,
  type AlarmDecisionInput,
  type QuarantineRole,
} from '../../../lambda/domain';
import {
  ecsTarget,
  liveCompleted,
  liveInProgress,
  provenEntry,
  SEC,
  seededState,
  T0,
} from '../../support/domain-fixtures';

const role: QuarantineRole = {
  version: 'checkout:42',
  from: 'us-east-1',
  decisionId: 'origin-1',
  cause: 'alarm',
  at: T0 + 5 * MINUTE,
  why: 'checkout rolled back from checkout:42 in us-east-1 (checkout-5xx)',
};

const completed = seededState({
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

const input = (overrides: Partial<AlarmDecisionInput> = {}): AlarmDecisionInput => ({
  now: T0 + 6 * MINUTE,
  decisionId: 'd-1',
  transition: quarantineTransition(role),
  target: ecsTarget(),
  state: completed,
  live: liveCompleted('checkout:42', T0, T0 + 60 * SEC),
  globalPause: undefined,
  maxEventAgeMs: 60 * MINUTE,
  quarantine: role,
  ...overrides,
});

describe('decideAlarm with a quarantine from another region', () => {
  it('rolls back a version served inside its watch window, with reason region, and records the quarantine', () => {
    const { decision, next } = decideAlarm(input());
    expect(decision).toMatchObject({
      outcome: 'rollback',
      reason: 'region',
      from: 'checkout:42',
      to: 'checkout:41',
      trigger: 'quarantine from us-east-1',
      notify: 'rollback-started',
    });
    expect(decision.detail).toContain('us-east-1 quarantined checkout:42');
    expect(next.quarantined).toEqual([{ ...role, receivedAt: T0 + 6 * MINUTE }]);
    expect(next.ledger.find((e) => e.version === 'checkout:42')?.taintReason).toContain(
      'quarantined by us-east-1',
    );
    // Another region's alarm is no alarm state of this target's.
    expect(next.alarms).toEqual({});
  });

  it('stops a deployment of the version still in progress', () => {
    const { decision } = decideAlarm(
      input({ state: seededState(), live: liveInProgress('checkout:42', T0) }),
    );
    expect(decision).toMatchObject({ outcome: 'rollback', reason: 'region', action: { kind: 'stop' } });
  });

  it('rolls back a version that baked here without an alarm: the other region had one', () => {
    const { decision } = decideAlarm(input({ now: T0 + 50 * MINUTE }));
    expect(decision).toMatchObject({ outcome: 'rollback', reason: 'region' });
  });

  it('records a version this region does not serve: version-not-serving, not notable, nothing claimed', () => {
    const state = seededState({ ledger: [provenEntry('checkout:41')] });
    const { decision, next } = decideAlarm(
      input({
        state,
        live: liveCompleted('checkout:41', T0 - 24 * 60 * MINUTE, T0 - 24 * 60 * MINUTE + MINUTE),
      }),
    );
    expect(decision).toMatchObject({ outcome: 'skip', reason: 'version-not-serving', escalate: false });
    expect(decision.notify).toBeUndefined();
    expect(next.rollback).toBeUndefined();
    expect(quarantineOf(next, 'checkout:42', T0 + 6 * MINUTE)?.decisionId).toBe('origin-1');
  });

  it('is never stale, however late it comes (a region that could not be reached gets it afterwards)', () => {
    const { decision } = decideAlarm(input({ now: T0 + 40 * MINUTE, maxEventAgeMs: 5 * MINUTE }));
    expect(decision).toMatchObject({ outcome: 'rollback', reason: 'region' });
  });

  it('leaves a version with sticky proof here alone (it served longer than any watch window)', () => {
    const state = seededState({ ledger: [provenEntry('checkout:42'), provenEntry('checkout:41')] });
    const { decision, next } = decideAlarm(
      input({
        state,
        live: liveCompleted('checkout:42', T0 - 24 * 60 * MINUTE, T0 - 24 * 60 * MINUTE + MINUTE),
      }),
    );
    expect(decision).toMatchObject({ outcome: 'skip', reason: 'current-is-known-good' });
    expect(next.ledger.find((e) => e.version === 'checkout:42')?.taintedAt).toBeUndefined();
  });

  it('RELIABILITY #28 (U): a second delivery of the same quarantine is a duplicate', () => {
    const first = decideAlarm(input());
    const again = decideAlarm(input({ state: first.next, decisionId: 'd-2' }));
    expect(again.decision).toMatchObject({ outcome: 'skip', reason: 'duplicate' });
  });

  it('a check of one deployment of a recorded quarantine is decided on its own key', () => {
    const first = decideAlarm(
      input({
        state: seededState({ ledger: [provenEntry('checkout:41')] }),
        live: liveCompleted('checkout:41', T0 - 24 * 60 * MINUTE, T0 - 24 * 60 * MINUTE + MINUTE),
      }),
    );
    const check = decideAlarm(
      input({
        now: T0 + 40 * MINUTE,
        state: {
          ...first.next,
          ledger: [
            {
              version: 'checkout:42',
              status: 'in-progress',
              startedAt: T0 + 40 * MINUTE,
              deploymentId: 'ecs-svc/9',
            },
            ...first.next.ledger,
          ],
        },
        transition: quarantineTransition(role, 'ecs-svc/9'),
        live: liveInProgress('checkout:42', T0 + 40 * MINUTE),
      }),
    );
    expect(check.decision).toMatchObject({ outcome: 'rollback', reason: 'region', action: { kind: 'stop' } });
  });

  it('respects a pause: automation is held, the quarantine is still recorded', () => {
    const state = { ...completed, paused: { at: T0, by: 'ops', reason: 'maintenance' } };
    const { decision, next } = decideAlarm(input({ state }));
    expect(decision).toMatchObject({ outcome: 'skip', reason: 'paused' });
    expect(next.quarantined?.length).toBe(1);
  });
});

describe('quarantines owed to other regions', () => {
  const owed = oweQuarantine(
    seededState(),
    { decisionId: 'q-1', version: 'checkout:42', cause: 'alarm', why: 'w', at: T0 },
    ['eu-west-1', 'ap-southeast-2'],
  );

  it('is sent at once by its writer, again after each retry interval, and no longer once every region confirmed', () => {
    // The writer's own send is not recorded: the sweep's first resend is a retry interval after the decision.
    expect(freshQuarantine(owed, 'q-1')?.decisionId).toBe('q-1');
    expect(dueQuarantines(owed, T0 + 4 * MINUTE)).toEqual([]);
    expect(dueQuarantines(owed, T0 + 5 * MINUTE).map((q) => q.decisionId)).toEqual(['q-1']);
    const sent = quarantineSent(owed, 'q-1', T0);
    expect(freshQuarantine(sent, 'q-1')).toBeUndefined();
    expect(dueQuarantines(sent, T0 + 4 * MINUTE)).toEqual([]);
    expect(dueQuarantines(sent, T0 + 5 * MINUTE).map((q) => q.attempts)).toEqual([1]);
    const one = quarantineReceived(sent, 'q-1', 'eu-west-1');
    expect(one.quarantineOut?.[0]?.awaiting).toEqual(['ap-southeast-2']);
    // A receipt from a region not awaited (a duplicate) changes nothing.
    expect(quarantineReceived(one, 'q-1', 'eu-west-1')).toBe(one);
    expect(quarantineReceived(one, 'q-1', 'ap-southeast-2').quarantineOut).toBeUndefined();
  });

  it('is owed once per decision', () => {
    const again = oweQuarantine(
      owed,
      { decisionId: 'q-1', version: 'checkout:42', cause: 'alarm', why: 'w', at: T0 },
      ['eu-west-1'],
    );
    expect(again).toBe(owed);
  });

  it('is reported once after 15 minutes without a receipt, and given up after a day', () => {
    expect(unconfirmedQuarantines(owed, T0 + 14 * MINUTE)).toEqual([]);
    expect(unconfirmedQuarantines(owed, T0 + 15 * MINUTE).map((q) => q.awaiting)).toEqual([
      ['eu-west-1', 'ap-southeast-2'],
    ]);
    expect(
      unconfirmedQuarantines(quarantineReported(owed, 'q-1', T0 + 15 * MINUTE), T0 + 20 * MINUTE),
    ).toEqual([]);
    expect(dueQuarantines(owed, T0 + QUARANTINE_GIVE_UP_MS)).toEqual([]);
    expect(abandonedQuarantines(owed, T0 + QUARANTINE_GIVE_UP_MS).length).toBe(1);
  });
});
