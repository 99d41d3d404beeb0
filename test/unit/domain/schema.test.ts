import {
  databaseSchema,
  decideAlarm,
  decideManualRollback,
  MINUTE,
  reconcileWithLive,
  schemaSafe,
  withSchemaFacts,
  type AlarmDecisionInput,
  type LedgerEntry,
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

const facts = (schema?: number, minCompatibleSchema?: number) => ({
  schemaFacts: {
    ...(schema !== undefined ? { schema } : {}),
    ...(minCompatibleSchema !== undefined ? { minCompatibleSchema } : {}),
    readAt: T0,
  },
});
/** checkout:42 rolling out; checkout:41 and checkout:40 known-good, 41 the newer. */
const ledgerWith = (f42: object, f41: object, f40: object): LedgerEntry[] => [
  { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2', ...f42 },
  { ...provenEntry('checkout:41'), startedAt: T0 - 60 * MINUTE, completedAt: T0 - 58 * MINUTE, ...f41 },
  { ...provenEntry('checkout:40'), startedAt: T0 - 120 * MINUTE, completedAt: T0 - 118 * MINUTE, ...f40 },
];
const input = (ledger: LedgerEntry[], live = liveInProgress('checkout:42', T0, 'checkout:40')) =>
  ({
    now: T0 + 90 * SEC,
    decisionId: 'd-1',
    transition: transition('ALARM', T0 + 60 * SEC),
    target: ecsTarget(),
    state: seededState({ ledger }),
    live,
    globalPause: undefined,
    maxEventAgeMs: 60 * MINUTE,
  }) satisfies AlarmDecisionInput;

describe('databaseSchema', () => {
  it('is the highest declared level, brought by the first version deployed with it', () => {
    const ledger: LedgerEntry[] = [
      { version: 'checkout:43', status: 'in-progress', startedAt: T0 + MINUTE, ...facts(8, 8) },
      { version: 'checkout:42', status: 'completed', startedAt: T0, ...facts(8, 7) },
      { ...provenEntry('checkout:41'), ...facts(7) },
    ];
    expect(databaseSchema(ledger)).toEqual({ level: 8, by: 'checkout:42', minCompatible: 7 });
  });

  it('is unknown when no version declares a schema, and then every version is safe', () => {
    const ledger = [provenEntry('checkout:41')];
    expect(databaseSchema(ledger)).toBeUndefined();
    expect(schemaSafe({ ...provenEntry('checkout:40'), ...facts(1) }, undefined)).toBe(true);
  });

  it('treats a version that declares no schema as compatible (the gate is opt-in)', () => {
    expect(schemaSafe(provenEntry('checkout:41'), { level: 8, by: 'checkout:42', minCompatible: 8 })).toBe(
      true,
    );
  });

  it('are taken from the live view where the platform’s read carries them (CodeDeploy descriptions)', () => {
    const live = {
      ...liveInProgress('checkout:42', T0),
      latest: { ...liveInProgress('checkout:42', T0).latest!, declaredSchema: { schema: 8 } },
    };
    const next = reconcileWithLive(seededState({ ledger: [provenEntry('checkout:41')] }), live, T0 + SEC, 0);
    expect(next.ledger.find((e) => e.version === 'checkout:42')?.schemaFacts).toEqual({
      schema: 8,
      readAt: T0 + SEC,
    });
  });

  it('records facts once, on the entry that lacks them', () => {
    const ledger = [provenEntry('checkout:41')];
    const once = withSchemaFacts(ledger, 'checkout:41', { schema: 7 }, T0);
    expect(once[0]?.schemaFacts).toEqual({ schema: 7, readAt: T0 });
    expect(withSchemaFacts(once, 'checkout:41', { schema: 9 }, T0 + 1)).toBe(once);
    expect(withSchemaFacts(ledger, 'checkout:99', { schema: 9 }, T0)).toBe(ledger);
  });
});

describe('the schema gate on an alarm', () => {
  it('rolls back to the newest known-good version that runs on the migrated database, naming the one passed over', () => {
    const { decision } = decideAlarm(input(ledgerWith(facts(9, 8), facts(7), facts(8))));
    expect(decision).toMatchObject({ outcome: 'rollback', to: 'checkout:40' });
    expect(decision.detail).toContain(
      'Passed over checkout:41: checkout:41 runs on schema 7, but the database is at schema 9 since the migration of checkout:42, which runs correctly only with application schema 8 or later.',
    );
  });

  it('refuses with schema-incompatible when no known-good version runs on it, and escalates', () => {
    const { decision, next } = decideAlarm(input(ledgerWith(facts(9, 9), facts(7), facts(8))));
    expect(decision).toMatchObject({
      outcome: 'skip',
      reason: 'schema-incompatible',
      from: 'checkout:42',
      to: 'checkout:41',
      escalate: true,
    });
    expect(decision.detail).toBe(
      'checkout:41 runs on schema 7, but the database is at schema 9 since the migration of checkout:42, which runs correctly only with application schema 9 or later; the 1 older known-good version cannot run on it either. Rolling checkout back would break it against the migrated database: roll forward with a fix instead.',
    );
    expect(next.rollback).toBeUndefined();
  });

  it('lets the rollback through when the migration keeps older code running, or declares no minimum', () => {
    expect(decideAlarm(input(ledgerWith(facts(8, 7), facts(7), facts(6)))).decision).toMatchObject({
      outcome: 'rollback',
      to: 'checkout:41',
    });
    expect(decideAlarm(input(ledgerWith(facts(8), facts(7), facts(6)))).decision).toMatchObject({
      outcome: 'rollback',
      to: 'checkout:41',
    });
  });
});

describe('the schema gate on a manual rollback', () => {
  const manual = (to: string | undefined, force: boolean) =>
    decideManualRollback({
      now: T0 + 90 * SEC,
      decisionId: 'd-1',
      target: ecsTarget(),
      state: seededState({ ledger: ledgerWith(facts(9, 8), facts(7), facts(8)) }),
      live: liveInProgress('checkout:42', T0, 'checkout:40'),
      to,
      force,
      by: 'arn:aws:iam::123456789012:user/alice',
      reason: 'errors',
    });

  it('defaults to the newest safe known-good version', () => {
    expect(manual(undefined, false)).toMatchObject({ ok: true, decision: { to: 'checkout:40' } });
  });

  it('refuses an incompatible --to without --force, and says how to override', () => {
    expect(manual('checkout:41', false)).toMatchObject({
      ok: false,
      reason: 'schema-incompatible',
      refused: expect.stringContaining(
        'roll forward with a fix, or pass --force if the database was migrated back',
      ),
    });
    expect(manual('checkout:41', true)).toMatchObject({ ok: true, decision: { to: 'checkout:41' } });
  });
});
