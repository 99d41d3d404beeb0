import {
  decideAlarm,
  decideApprovedRollback,
  decideManualRollback,
  MINUTE,
  versionsDueForViability,
  VIABILITY_MAX_AGE_MS,
  withViability,
  type AlarmDecisionInput,
  type LedgerEntry,
  type Viability,
} from '../../../lambda/domain';
import {
  ecsTarget,
  liveInProgress,
  provenEntry,
  SEC,
  seededState,
  T0,
  transition,
} from '../../support/domain-fixtures';

const gone = (what: string, checkedAt = T0): { viability: Viability } => ({
  viability: { runnable: false, missing: [what], checkedAt },
});
const fine = (checkedAt = T0): { viability: Viability } => ({ viability: { runnable: true, checkedAt } });

/** checkout:42 rolling out; checkout:41, :40 and :39 known-good, newest first. */
const ledgerWith = (f41: object, f40: object, f39: object = {}): LedgerEntry[] => [
  { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2' },
  { ...provenEntry('checkout:41'), startedAt: T0 - 60 * MINUTE, completedAt: T0 - 58 * MINUTE, ...f41 },
  { ...provenEntry('checkout:40'), startedAt: T0 - 120 * MINUTE, completedAt: T0 - 118 * MINUTE, ...f40 },
  { ...provenEntry('checkout:39'), startedAt: T0 - 180 * MINUTE, completedAt: T0 - 178 * MINUTE, ...f39 },
];
const input = (ledger: LedgerEntry[]) =>
  ({
    now: T0 + 90 * SEC,
    decisionId: 'd-1',
    transition: transition('ALARM', T0 + 60 * SEC),
    target: ecsTarget(),
    state: seededState({ ledger }),
    live: liveInProgress('checkout:42', T0, 'checkout:41'),
    globalPause: undefined,
    maxEventAgeMs: 60 * MINUTE,
  }) satisfies AlarmDecisionInput;

describe('the viability preflight on an alarm', () => {
  it('rolls back to the newest known-good version when it can be deployed, or was never checked', () => {
    for (const f41 of [fine(), {}]) {
      expect(decideAlarm(input(ledgerWith(f41, fine()))).decision).toMatchObject({
        outcome: 'rollback',
        to: 'checkout:41',
      });
    }
  });

  it('passes over a version found gone for the next older one, and names it and why', () => {
    const { decision } = decideAlarm(input(ledgerWith(gone('image …/checkout@sha256:ab is gone'), fine())));
    expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:40' });
    expect(decision.detail).toContain(
      'Passed over checkout:41 cannot be deployed again: image …/checkout@sha256:ab is gone (checked 2026-',
    );
  });

  it('passes over versions gone and versions the schema gate refuses alike, each with its reason', () => {
    const { decision } = decideAlarm(
      input([
        {
          version: 'checkout:42',
          status: 'in-progress',
          startedAt: T0,
          schemaFacts: { schema: 8, minCompatibleSchema: 8, readAt: T0 },
        },
        ...ledgerWith(gone('task definition checkout:41 is INACTIVE'), {
          schemaFacts: { schema: 7, readAt: T0 },
        }).slice(1),
      ]),
    );
    // checkout:39 declares nothing: the gate lets it through.
    expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:39' });
    expect(decision.detail).toContain('Passed over checkout:41 cannot be deployed again: task definition');
    expect(decision.detail).toContain('Passed over checkout:40: checkout:40 runs on schema 7');
  });

  it('skips target-version-unavailable and escalates when no known-good version can be deployed', () => {
    const { decision, next } = decideAlarm(
      input(ledgerWith(gone('image a is gone'), gone('image b is gone'), gone('image c is gone'))),
    );
    expect(decision).toMatchObject({
      outcome: 'skip',
      reason: 'target-version-unavailable',
      from: 'checkout:42',
      to: 'checkout:41',
      escalate: true,
      notify: 'escalation',
    });
    expect(decision.detail).toContain('checkout:41 cannot be deployed again: image a is gone');
    expect(decision.detail).toContain('the 2 older known-good versions cannot be deployed either');
    expect(decision.detail).toContain('push the image again');
    expect(next.rollback).toBeUndefined();
    expect(next.lastRollbackAt).toBeUndefined();
  });

  it('still says no-known-good when nothing ever proved itself', () => {
    const ledger = ledgerWith(
      { taintedAt: T0 - MINUTE },
      { taintedAt: T0 - MINUTE },
      { taintedAt: T0 - MINUTE },
    );
    expect(decideAlarm(input(ledger)).decision).toMatchObject({ reason: 'no-known-good' });
  });
});

describe('the viability preflight on operator commands', () => {
  const manual = (ledger: LedgerEntry[], to: string | undefined, force = false) =>
    decideManualRollback({
      now: T0 + 90 * SEC,
      decisionId: 'd-1',
      target: ecsTarget(),
      state: seededState({ ledger }),
      live: liveInProgress('checkout:42', T0, 'checkout:41'),
      to,
      force,
      by: 'alice',
      reason: 'errors',
    });

  it('defaults to the newest version that can be deployed', () => {
    expect(manual(ledgerWith(gone('x'), fine()), undefined)).toMatchObject({
      ok: true,
      decision: { to: 'checkout:40' },
    });
  });

  it('refuses --to a version found gone unless --force, and refuses when none can be deployed', () => {
    expect(manual(ledgerWith(gone('image a is gone'), fine()), 'checkout:41')).toMatchObject({
      ok: false,
      reason: 'target-version-unavailable',
      refused: expect.stringContaining('pass --force if it has been restored since that check'),
    });
    expect(manual(ledgerWith(gone('image a is gone'), fine()), 'checkout:41', true)).toMatchObject({
      ok: true,
      decision: { to: 'checkout:41' },
    });
    expect(manual(ledgerWith(gone('a'), gone('b'), gone('c')), undefined)).toMatchObject({
      ok: false,
      reason: 'target-version-unavailable',
    });
  });

  it('refuses to approve a proposal whose version was found gone since', () => {
    const r = decideApprovedRollback({
      now: T0 + 5 * MINUTE,
      decisionId: 'a-1',
      target: ecsTarget(),
      state: seededState({
        ledger: ledgerWith(gone('image a is gone'), fine()),
        pendingApproval: {
          decisionId: 'd-1',
          trigger: 'checkout-5xx',
          from: 'checkout:42',
          to: 'checkout:41',
          requestedAt: T0 + MINUTE,
          expiresAt: T0 + 16 * MINUTE,
        },
      }),
      live: liveInProgress('checkout:42', T0, 'checkout:41'),
      by: 'bob',
    });
    expect(r).toMatchObject({ ok: false, reason: 'target-version-unavailable' });
  });
});

describe('versionsDueForViability', () => {
  const now = T0 + 90 * SEC;
  const bake = 30 * MINUTE;

  it('picks known-good versions never checked first, then stale checks, newest first, never the current one', () => {
    const ledger = ledgerWith(fine(now - VIABILITY_MAX_AGE_MS), {}, fine(now - MINUTE));
    expect(versionsDueForViability(ledger, 'checkout:42', now, bake, 5)).toEqual([
      'checkout:40',
      'checkout:41',
    ]);
    expect(versionsDueForViability(ledger, 'checkout:42', now, bake, 1)).toEqual(['checkout:40']);
    // Without a live read, the newest entry counts as running.
    expect(versionsDueForViability(ledger, undefined, now, bake, 5)).toEqual(['checkout:40', 'checkout:41']);
    expect(versionsDueForViability(ledger, 'checkout:41', now, bake, 5)).toEqual(['checkout:40']);
  });

  it('records a check on its entry with the time, and leaves a ledger without the version alone', () => {
    const ledger = ledgerWith({}, {});
    const checked = withViability(ledger, 'checkout:41', { runnable: false, missing: ['x'] }, now);
    expect(checked[1].viability).toEqual({ runnable: false, missing: ['x'], checkedAt: now });
    expect(withViability(ledger, 'checkout:7', { runnable: true }, now)).toBe(ledger);
  });
});
