import {
  decideAlarm,
  DRILL_SKEW_MS,
  decideApprovedRollback,
  decideManualRollback,
  expireApproval,
  MINUTE,
  settleVerification,
  type PendingApproval,
  type Verification,
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

const now = T0 + 5 * MINUTE;
const bad42 = liveCompleted('checkout:42', T0, T0 + MINUTE);
const state42 = seededState({
  ledger: [
    { version: 'checkout:42', status: 'completed', startedAt: T0, completedAt: T0 + MINUTE },
    provenEntry('checkout:41'),
  ],
});
const manual = (over: Partial<Parameters<typeof decideManualRollback>[0]> = {}) =>
  decideManualRollback({
    now,
    decisionId: 'm-1',
    target: ecsTarget(),
    state: state42,
    live: bad42,
    to: undefined,
    force: false,
    by: 'arn:aws:iam::1:user/alice',
    reason: 'bad release',
    ...over,
  });

describe('decideManualRollback', () => {
  it('rolls back to the newest known-good version, recording who and why, and counts it', () => {
    const r = manual();
    expect(r).toMatchObject({
      ok: true,
      decision: {
        outcome: 'rollback',
        reason: 'manual',
        from: 'checkout:42',
        to: 'checkout:41',
        by: 'arn:aws:iam::1:user/alice',
        action: { kind: 'redeploy', version: 'checkout:41' },
      },
    });
    if (r.ok)
      expect(r.next).toMatchObject({
        lastRollbackAt: now,
        rollback: { reason: 'manual', to: 'checkout:41' },
      });
  });

  it('is not stopped by the cooldown or the rate limit (those damp the watchdog, not people)', () => {
    const r = manual({
      state: { ...state42, lastRollbackAt: now - MINUTE, rollbackTimes: [now - 3 * MINUTE, now - MINUTE] },
    });
    expect(r.ok).toBe(true);
  });

  it.each([
    [
      'a version outside the ledger without --force',
      { to: 'checkout:7' },
      /not a known-good version.*--force/,
    ],
    ['the current version', { to: 'checkout:42' }, /already runs/],
    [
      'while a rollback is under way',
      {
        state: {
          ...state42,
          rollback: {
            decisionId: 'd',
            trigger: 't',
            reason: 'alarm' as const,
            from: 'checkout:42',
            to: 'checkout:41',
            action: 'stop' as const,
            claimedAt: now - MINUTE,
            leaseUntil: now + MINUTE,
          },
        },
      },
      /already under way/,
    ],
    [
      'a target that cannot be read',
      { live: { kind: 'invalid' as const, why: 'service is INACTIVE' } },
      /INACTIVE/,
    ],
  ])('refuses %s', (_name, over, message) => {
    const r = manual(over);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.refused).toMatch(message);
  });

  it('takes a version outside the ledger with --force', () => {
    expect(manual({ to: 'checkout:7', force: true })).toMatchObject({
      ok: true,
      decision: { to: 'checkout:7' },
    });
  });

  it('refuses a CodeDeploy version whose revision the ledger never recorded', () => {
    const target = {
      ...ecsTarget(),
      type: 'codedeploy' as const,
      application: 'checkout',
      deploymentGroup: 'prod',
    };
    const r = decideManualRollback({
      now,
      decisionId: 'm',
      target,
      state: state42,
      live: bad42,
      to: 'checkout:7',
      force: true,
      by: 'a',
      reason: 'r',
      redeployNeedsArtifact: true,
    });
    expect(r).toMatchObject({
      ok: false,
      reason: 'version-unknown',
      refused: expect.stringMatching(/neither the ledger nor the deployment group's history knows/),
    });
  });
});

describe('approval mode', () => {
  const target = ecsTarget({ mode: 'approval', approvalTimeoutMinutes: 15 });
  const alarm = transition('ALARM', T0 + 60 * SEC);

  it('proposes the rollback, holds it, and answers other alarms with rollback-in-progress', () => {
    const first = decideAlarm({
      now: T0 + 61 * SEC,
      decisionId: 'd-1',
      transition: alarm,
      target,
      state: seededState(),
      live: liveInProgress('checkout:42', T0),
      globalPause: undefined,
      maxEventAgeMs: 60 * MINUTE,
    });
    expect(first.decision).toMatchObject({
      outcome: 'approval-requested',
      notify: 'approval-requested',
      from: 'checkout:42',
      to: 'checkout:41',
    });
    expect(first.next.pendingApproval).toMatchObject({
      from: 'checkout:42',
      to: 'checkout:41',
      expiresAt: T0 + 61 * SEC + 15 * MINUTE,
    });
    expect(first.next.rollback).toBeUndefined();
    const second = decideAlarm({
      now: T0 + 70 * SEC,
      decisionId: 'd-2',
      transition: transition('ALARM', T0 + 65 * SEC, { alarmName: 'checkout-p99' }),
      target,
      state: first.next,
      live: liveInProgress('checkout:42', T0),
      globalPause: undefined,
      maxEventAgeMs: 60 * MINUTE,
    });
    expect(second.decision).toMatchObject({
      outcome: 'skip',
      reason: 'rollback-in-progress',
      detail: expect.stringContaining('awaits approval'),
    });
  });

  const pending: PendingApproval = {
    decisionId: 'd-1',
    trigger: 'checkout-5xx',
    from: 'checkout:42',
    to: 'checkout:41',
    requestedAt: T0 + MINUTE,
    expiresAt: T0 + 16 * MINUTE,
  };

  it('rolls back when approved in time, as the approver', () => {
    const r = decideApprovedRollback({
      now: T0 + 5 * MINUTE,
      decisionId: 'a-1',
      target,
      state: seededState({ pendingApproval: pending }),
      live: liveInProgress('checkout:42', T0),
      by: 'bob',
    });
    expect(r).toMatchObject({
      ok: true,
      decision: { outcome: 'rollback', reason: 'approved', by: 'bob', trigger: 'checkout-5xx' },
    });
    if (r.ok) expect(r.next.pendingApproval).toBeUndefined();
  });

  it('approves only the proposal a Slack button names, never a later one on the same target', () => {
    const input = {
      now: T0 + 5 * MINUTE,
      decisionId: 'a-2',
      target,
      state: seededState({ pendingApproval: pending }),
      live: liveInProgress('checkout:42', T0),
      by: 'slack:T1/U1',
    };
    expect(decideApprovedRollback({ ...input, proposal: 'd-1' })).toMatchObject({ ok: true });
    expect(decideApprovedRollback({ ...input, proposal: 'd-0' })).toMatchObject({
      ok: false,
      reason: 'nothing-to-approve',
      refused: expect.stringContaining(
        'the approval request d-0 of checkout is no longer pending (the pending one is d-1',
      ),
    });
  });

  it('refuses a late approval, an approval with nothing pending, and one for a version no longer running', () => {
    const live = liveInProgress('checkout:42', T0);
    expect(
      decideApprovedRollback({
        now: T0 + 20 * MINUTE,
        decisionId: 'a',
        target,
        state: seededState({ pendingApproval: pending }),
        live,
        by: 'bob',
      }),
    ).toMatchObject({ ok: false, refused: expect.stringMatching(/expired/) });
    expect(
      decideApprovedRollback({ now, decisionId: 'a', target, state: seededState(), live, by: 'bob' }),
    ).toMatchObject({ ok: false, refused: expect.stringMatching(/no rollback/) });
    expect(
      decideApprovedRollback({
        now,
        decisionId: 'a',
        target,
        state: seededState({ pendingApproval: pending }),
        live: liveCompleted('checkout:43', T0, T0),
        by: 'bob',
      }),
    ).toMatchObject({ ok: false, refused: expect.stringMatching(/no longer runs/) });
  });

  it('at expiry: policy rollback rolls back as an automatic decision; policy hold lapses with an escalation', () => {
    const timedOut = decideApprovedRollback({
      now: T0 + 20 * MINUTE,
      decisionId: 't',
      target,
      state: seededState({ pendingApproval: pending }),
      live: liveInProgress('checkout:42', T0),
      by: undefined,
    });
    expect(timedOut).toMatchObject({
      ok: true,
      decision: { outcome: 'rollback', reason: 'approval-timeout' },
    });
    const held = expireApproval(seededState({ pendingApproval: pending }), target, T0 + 20 * MINUTE, 'h');
    expect(held?.decision).toMatchObject({
      outcome: 'skip',
      reason: 'approval-expired',
      escalate: true,
      notify: 'escalation',
    });
    expect(held?.next.pendingApproval).toBeUndefined();
    expect(
      expireApproval(seededState({ pendingApproval: pending }), target, T0 + 10 * MINUTE, 'h'),
    ).toBeUndefined();
  });
});

describe('drills', () => {
  const drill = {
    id: 'drill-1',
    alarm: 'checkout-5xx',
    live: false,
    requestedAt: T0 + 50 * SEC,
    by: 'carol',
  };
  const input = (state = seededState({ drill })) => ({
    now: T0 + 62 * SEC,
    decisionId: 'd',
    transition: transition('ALARM', T0 + 60 * SEC),
    target: ecsTarget(),
    state,
    live: liveInProgress('checkout:42', T0),
    globalPause: undefined,
    maxEventAgeMs: 60 * MINUTE,
  });

  it('decides the forced alarm as a dry run, reports the time from alarm to decision, and consumes the intent', () => {
    const { decision, next } = decideAlarm(input());
    expect(decision).toMatchObject({
      outcome: 'dry-run',
      from: 'checkout:42',
      to: 'checkout:41',
      notify: 'drill',
      drill: { id: 'drill-1', live: false, alarmToDecisionMs: 2000 },
    });
    expect(next.drill).toBeUndefined();
    expect(next.rollback).toBeUndefined();
  });

  it('acts for real in a live drill', () => {
    const { decision, next } = decideAlarm(input(seededState({ drill: { ...drill, live: true } })));
    expect(decision).toMatchObject({
      outcome: 'rollback',
      notify: 'rollback-started',
      drill: { live: true },
    });
    expect(next.rollback).toBeDefined();
  });

  it('leaves other alarms alone', () => {
    const { decision } = decideAlarm({
      ...input(),
      transition: transition('ALARM', T0 + 60 * SEC, { alarmName: 'checkout-p99' }),
    });
    expect(decision.drill).toBeUndefined();
    expect(decision.outcome).toBe('rollback');
  });
});

describe('drill clock skew', () => {
  // CloudWatch stamps the forced transition with its own clock, which may run behind the CLI's.
  const requestedAt = T0 + 10 * MINUTE;
  const drill = { id: 'drill-1', alarm: 'checkout-5xx', live: false, requestedAt, by: 'carol' };
  const decideAt = (stampedAt: number) =>
    decideAlarm({
      now: requestedAt + 5 * SEC,
      decisionId: 'd',
      transition: transition('ALARM', stampedAt),
      target: ecsTarget(),
      state: seededState({ drill }),
      live: liveInProgress('checkout:42', T0),
      globalPause: undefined,
      maxEventAgeMs: 60 * MINUTE,
    }).decision;

  it.each([
    ['half the skew before the intent', requestedAt - DRILL_SKEW_MS / 2],
    ['exactly the skew before it', requestedAt - DRILL_SKEW_MS],
  ])('takes a transition stamped %s as the drill', (_, stampedAt) => {
    expect(DRILL_SKEW_MS).toBe(60 * SEC);
    expect(decideAt(stampedAt)).toMatchObject({ outcome: 'dry-run', drill: { id: 'drill-1' } });
  });

  it('takes a transition stamped more than the skew before the intent as a real one', () => {
    const decision = decideAt(requestedAt - DRILL_SKEW_MS - 1);
    expect(decision.drill).toBeUndefined();
    expect(decision.outcome).toBe('rollback');
  });
});

describe('verification after a rollback', () => {
  const v: Verification = {
    decisionId: 'd-1',
    startedAt: T0,
    trigger: 'checkout-5xx',
    from: 'checkout:42',
    to: 'checkout:41',
    completedAt: T0 + 3 * MINUTE,
    deadline: T0 + 18 * MINUTE,
  };

  const states = (entries: Record<string, string>) => new Map(Object.entries(entries));
  const allOk = states({ 'checkout-5xx': 'OK', 'checkout-p99': 'OK' });

  it('is verified when every trigger alarm is OK', () => {
    const r = settleVerification(seededState({ verification: v }), ecsTarget(), allOk, T0 + 10 * MINUTE);
    expect(r).toMatchObject({ verified: true, effects: [{ kind: 'verified' }] });
    expect(r.next.verification).toBeUndefined();
  });

  it('waits until the deadline while an alarm is still firing', () => {
    const state = seededState({ verification: v });
    const firing = states({ 'checkout-5xx': 'ALARM', 'checkout-p99': 'OK' });
    expect(settleVerification(state, ecsTarget(), firing, T0 + 10 * MINUTE).next).toBe(state);
  });

  it.each([
    [
      'INSUFFICIENT_DATA',
      states({ 'checkout-5xx': 'INSUFFICIENT_DATA', 'checkout-p99': 'OK' }),
      'in INSUFFICIENT_DATA',
    ],
    ['not found', states({ 'checkout-p99': 'OK' }), 'in not found'],
  ])(
    'a trigger alarm %s at the deadline is not recovery: unverified, escalated, held (docs/decisions.md)',
    (_, alarms, text) => {
      const state = seededState({ verification: v });
      expect(settleVerification(state, ecsTarget(), alarms, T0 + 10 * MINUTE)).toMatchObject({
        verified: false,
        effects: [],
      });
      const r = settleVerification(state, ecsTarget(), alarms, T0 + 20 * MINUTE);
      expect(r.verified).toBe(false);
      expect(r.effects).toEqual([
        expect.objectContaining({
          kind: 'verification-failed',
          why: expect.stringContaining(`checkout-5xx ${text}`),
          notOk: ['checkout-5xx'],
        }),
      ]);
      expect(r.next.verification).toBeUndefined();
      expect(r.next.paused).toMatchObject({ by: 'watchdog' });
    },
  );

  it('escalates and holds the target when an alarm is still firing after the deadline (RELIABILITY #25)', () => {
    const r = settleVerification(
      seededState({ verification: v }),
      ecsTarget(),
      states({ 'checkout-5xx': 'ALARM', 'checkout-p99': 'OK' }),
      T0 + 20 * MINUTE,
    );
    expect(r.effects).toEqual([
      expect.objectContaining({ kind: 'verification-failed', why: expect.stringContaining('checkout-5xx') }),
    ]);
    expect(r.next.paused).toMatchObject({ by: 'watchdog' });
  });

  it('is completed by the OK transition that leaves every trigger alarm OK', () => {
    const state = seededState({
      verification: v,
      alarms: {
        'checkout-5xx': { value: 'ALARM', timestamp: T0, since: T0 },
        'checkout-p99': { value: 'OK', timestamp: T0, since: T0 },
      },
    });
    const r = decideAlarm({
      now: T0 + 6 * MINUTE,
      decisionId: 'd',
      transition: transition('OK', T0 + 6 * MINUTE),
      target: ecsTarget(),
      state,
      live: undefined,
      globalPause: undefined,
      maxEventAgeMs: 60 * MINUTE,
    });
    expect(r.verified).toEqual(v);
    expect(r.next.verification).toBeUndefined();
  });
});
