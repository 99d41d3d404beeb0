import fc from 'fast-check';
import { OUTCOMES, ROLLBACK_REASONS, SKIP_REASONS } from '../../../lambda/contract';
import {
  applyDeploymentEvent,
  decideAlarm,
  emptyTargetState,
  findEntry,
  isKnownGood,
  MINUTE,
  databaseSchema,
  rollbackCandidates,
  schemaSafe,
  withSchemaFacts,
  type Decision,
  type LiveOk,
  type SchemaFacts,
  type TargetState,
} from '../../../lambda/domain';
import { ecsTarget, SEC, T0, transition } from '../../support/domain-fixtures';

/**
 * Random histories of one ECS target: releases (some bad), alarm transitions of two alarms (flapping,
 * duplicates, reordering), and the completion of whatever is deploying. A tiny world model answers the
 * engine's live reads and applies its rollbacks, so the invariants are checked on the whole loop.
 */
type Step =
  | { kind: 'deploy'; gapSec: number }
  | {
      kind: 'alarm';
      gapSec: number;
      alarm: 0 | 1;
      value: 'ALARM' | 'OK';
      skewSec: number;
      redeliver: boolean;
    }
  | { kind: 'complete'; gapSec: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('deploy' as const), gapSec: fc.integer({ min: 0, max: 1800 }) }),
  fc.record({
    kind: fc.constant('alarm' as const),
    gapSec: fc.integer({ min: 0, max: 900 }),
    alarm: fc.constantFrom(0 as const, 1 as const),
    value: fc.constantFrom('ALARM' as const, 'OK' as const),
    skewSec: fc.integer({ min: 0, max: 300 }),
    redeliver: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('complete' as const), gapSec: fc.integer({ min: 0, max: 900 }) }),
);

interface World {
  now: number;
  revision: number;
  current: string;
  deploying?: { id: string; version: string; startedAt: number; source: string };
  lastCompleted: { id: string; version: string; startedAt: number; completedAt: number };
}

function live(w: World): LiveOk {
  const d = w.deploying;
  if (d) {
    return {
      kind: 'ok',
      currentVersion: w.current,
      latest: {
        id: d.id,
        version: d.version,
        state: 'in-progress',
        startedAt: d.startedAt,
        stopRef: `arn:sd/${d.id}`,
        stopRestores: d.source,
      },
      previous: [{ ...w.lastCompleted, state: 'completed' }],
      nativeRollback: false,
    };
  }
  return {
    kind: 'ok',
    currentVersion: w.current,
    latest: { ...w.lastCompleted, state: 'completed' },
    previous: [],
    nativeRollback: false,
  };
}

/** What a release declares about the database schema, by revision (the schema gate's property). */
type Declare = (revision: number) => Omit<SchemaFacts, 'readAt'> | undefined;

function run(steps: Step[], policy = ecsTarget().policy, declare?: Declare) {
  const target = ecsTarget(policy);
  const w: World = {
    now: T0,
    revision: 41,
    current: 'checkout:41',
    lastCompleted: {
      id: 'ecs-svc/41',
      version: 'checkout:41',
      startedAt: T0 - 86_400_000,
      completedAt: T0 - 86_400_000 + 120 * SEC,
    },
  };
  let state: TargetState = emptyTargetState('checkout');
  const decisions: { decision: Decision; before: TargetState; current: string }[] = [];
  let seq = 0;
  const delivered: ReturnType<typeof transition>[] = [];

  const complete = () => {
    const d = w.deploying;
    if (!d) return;
    w.lastCompleted = { id: d.id, version: d.version, startedAt: d.startedAt, completedAt: w.now };
    w.deploying = undefined;
    const r = applyDeploymentEvent({
      now: w.now,
      target,
      state,
      live: live(w),
      event: { deploymentId: d.id, phase: 'completed', at: w.now, rollingBack: false, reason: '' },
    });
    state = r.next;
  };
  const startDeployment = (version: string, source: string, revision?: number) => {
    w.deploying = { id: `ecs-svc/${++seq}`, version, startedAt: w.now, source };
    w.current = version;
    state = applyDeploymentEvent({
      now: w.now,
      target,
      state,
      live: live(w),
      event: {
        deploymentId: w.deploying.id,
        phase: 'in-progress',
        at: w.now,
        rollingBack: false,
        reason: '',
      },
    }).next;
    // A new release's declaration is read once, as the deployment handler does.
    const declared = revision !== undefined ? declare?.(revision) : undefined;
    if (declared) state = { ...state, ledger: withSchemaFacts(state.ledger, version, declared, w.now) };
  };

  for (const s of steps) {
    w.now += s.gapSec * SEC;
    switch (s.kind) {
      case 'deploy':
        complete();
        startDeployment(`checkout:${++w.revision}`, w.current, w.revision);
        break;
      case 'complete':
        complete();
        break;
      case 'alarm': {
        const t =
          s.redeliver && delivered.length > 0
            ? delivered[delivered.length - 1]
            : transition(s.value, w.now - s.skewSec * SEC, { alarmName: target.alarms[s.alarm] });
        delivered.push(t);
        const l = t.value === 'ALARM' ? live(w) : undefined;
        const before = state;
        const r = decideAlarm({
          now: w.now,
          decisionId: `d-${delivered.length}`,
          transition: t,
          target,
          state,
          live: l,
          globalPause: undefined,
          maxEventAgeMs: 60 * MINUTE,
        });
        decisions.push({ decision: r.decision, before, current: w.current });
        state = r.next;
        // The version serving before the history began declares too, once the first decision has seeded it.
        const initial = declare?.(41);
        if (initial)
          state = { ...state, ledger: withSchemaFacts(state.ledger, 'checkout:41', initial, w.now) };
        if (r.decision.outcome === 'rollback' && r.decision.to) {
          // The platform carries the rollback out; it completes at the next `complete` or `deploy` step.
          startDeployment(r.decision.to, w.current);
        }
        break;
      }
    }
  }
  return { decisions, target };
}

const rollbacks = (ds: { decision: Decision }[]) =>
  ds.filter((d) => d.decision.outcome === 'rollback').map((d) => d.decision);

describe('decideAlarm properties', () => {
  const histories = fc.array(step, { minLength: 1, maxLength: 60 });

  it('explores histories that roll back, cool down and rate-limit (the properties are not vacuous)', () => {
    const reasons = new Map<string, number>();
    for (const steps of fc.sample(histories, { numRuns: 300, seed: 7 })) {
      const policy = { ...ecsTarget().policy, maxRollbacks: { count: 1, windowMinutes: 60 } };
      for (const { decision } of run(steps, policy).decisions)
        reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
    }
    for (const r of [
      'alarm',
      'duplicate',
      'not-alarm-state',
      'rollback-in-progress',
      'current-is-known-good',
    ])
      expect(reasons.get(r) ?? 0).toBeGreaterThan(0);
  });

  it('is total: every transition yields exactly one decision with a contract outcome and reason', () => {
    fc.assert(
      fc.property(histories, (steps) => {
        const { decisions } = run(steps);
        const alarms = steps.filter((s) => s.kind === 'alarm').length;
        expect(decisions).toHaveLength(alarms);
        for (const { decision } of decisions) {
          expect(OUTCOMES).toContain(decision.outcome);
          expect([...SKIP_REASONS, ...ROLLBACK_REASONS]).toContain(decision.reason);
        }
      }),
    );
  });

  it('never rolls back to the current version or to a version that is not known-good', () => {
    fc.assert(
      fc.property(histories, (steps) => {
        const { decisions, target } = run(steps);
        const bakeMs = target.policy.bakeMinutes * MINUTE;
        for (const { decision, before, current } of decisions.filter(
          (d) => d.decision.outcome === 'rollback',
        )) {
          expect(decision.to).not.toBe(current);
          expect(decision.from).toBe(current);
          // The first decision seeds the ledger from the live service; after that the stored ledger must vouch.
          if (before.seeded)
            expect(isKnownGood(findEntry(before.ledger, decision.to!), decision.at, bakeMs)).toBe(true);
          else expect(decision.to).toBe('checkout:41');
        }
      }),
    );
  });

  it('never rolls back onto a version the migrated database cannot run, and refuses only when none can', () => {
    // Releases declare schema levels 0-4 (or nothing), each with a minimum at or below its own level.
    const declarations = fc.array(
      fc.option(
        fc
          .record({ schema: fc.integer({ min: 0, max: 4 }), down: fc.integer({ min: 0, max: 4 }) })
          .map(({ schema, down }) => ({ schema, minCompatibleSchema: Math.max(0, schema - down) })),
        { nil: undefined },
      ),
      { minLength: 80, maxLength: 80 },
    );
    let refusals = 0;
    let passedOver = 0;
    fc.assert(
      fc.property(histories, declarations, (steps, declared) => {
        const { decisions, target } = run(steps, undefined, (revision) => declared[revision % 80]);
        const bakeMs = target.policy.bakeMinutes * MINUTE;
        for (const { decision, before, current } of decisions) {
          if (!before.seeded) continue;
          const db = databaseSchema(before.ledger);
          const { knownGood } = rollbackCandidates(before.ledger, current, decision.at, bakeMs);
          if (decision.outcome === 'rollback') {
            expect(schemaSafe(findEntry(before.ledger, decision.to!)!, db)).toBe(true);
            if (knownGood[0]?.version !== decision.to) passedOver++;
          }
          if (decision.reason === 'schema-incompatible') {
            refusals++;
            expect(knownGood.length).toBeGreaterThan(0);
            expect(knownGood.some((e) => schemaSafe(e, db))).toBe(false);
          }
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    // Not vacuous: the generated histories refuse and pass over.
    expect({ refusals: refusals > 0, passedOver: passedOver > 0 }).toEqual({
      refusals: true,
      passedOver: true,
    });
  });

  it('never rolls back twice inside the cooldown, nor more often than the window allows', () => {
    fc.assert(
      fc.property(
        histories,
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 3 }),
        (steps, cooldownMinutes, count) => {
          const policy = {
            ...ecsTarget().policy,
            cooldownMinutes,
            maxRollbacks: { count, windowMinutes: 60 },
          };
          const times = rollbacks(run(steps, policy).decisions).map((d) => d.at);
          for (let i = 1; i < times.length; i++)
            expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(cooldownMinutes * MINUTE);
          for (const t of times)
            expect(times.filter((u) => u <= t && t - u < 60 * MINUTE).length).toBeLessThanOrEqual(count);
        },
      ),
    );
  });

  it('decides a redelivered transition as a duplicate and never acts on it', () => {
    fc.assert(
      fc.property(histories, (steps) => {
        const alarmSteps = steps.filter((s) => s.kind === 'alarm');
        const { decisions } = run(steps);
        alarmSteps.forEach((s, i) => {
          if (s.redeliver && i > 0)
            expect(decisions[i].decision).toMatchObject({ outcome: 'skip', reason: 'duplicate' });
        });
      }),
    );
  });
});
