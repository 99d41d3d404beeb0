import type { RuntimeConfig, RuntimeTarget } from '../lambda/contract';
import {
  decideAlarm,
  MINUTE,
  type AlarmDecisionInput,
  type LiveTarget,
  type TargetState,
} from '../lambda/domain';
import { handleAlarm } from '../lambda/use-cases/handle-alarm';
import type { UseCaseDeps } from '../lambda/use-cases/deps';
import type { StateStore } from '../lambda/use-cases/ports';
import { Reporter } from '../lambda/use-cases/report';
import {
  ecsTarget,
  liveCompleted,
  liveInProgress,
  seededState,
  T0,
  transition,
} from '../test/support/domain-fixtures';
import {
  FakeDeployer,
  InMemoryStateStore,
  ManualClock,
  RecordingNotifier,
  RecordingTelemetry,
} from '../test/support/fakes';
import { CountingNotifier, LeanDeployer, LeanStateStore, silentTelemetry } from './support/lean-fakes';

/**
 * Issue 7, `decisionsPerSecond` on one core (everything here runs on the main thread, one decision at a time):
 * - the engine: `decideAlarm` over a pre-built mix of realistic inputs;
 * - the use case: `handleAlarm` (load, decide, claim, act, audit, notify) over an alarm stream on a fleet, with
 *   lean in-memory ports (bench/support/lean-fakes.ts), and for comparison with the test fakes, whose
 *   `setImmediate` per call and deep copies dominate their cost.
 * Target: ≥ 50,000 decisions/s.
 */
export interface ThroughputResult {
  readonly engineDecisionsPerSecond: number;
  readonly useCaseDecisionsPerSecond: number;
  /** `handleAlarm` with test/support/fakes.ts instead of the lean ports. */
  readonly useCaseWithTestFakesDecisionsPerSecond: number;
  /** What the use-case stream decided, by `outcome/reason`: evidence that it exercised more than one path. */
  readonly useCaseOutcomes: Record<string, number>;
  readonly targetPerSecond: number;
  readonly engineMet: boolean;
  readonly useCaseMet: boolean;
}

const TARGET_PER_SECOND = 50_000;
const FLEET = 20;
/** The use-case stream restarts from seeded states this often, so rollbacks keep happening rather than only cooldowns. */
const EPISODE = 2_000;
/** How often the loops look at the clock: reading it is not free next to a microsecond decision. */
const BATCH = 256;

export async function benchThroughput(options: { quick: boolean }): Promise<ThroughputResult> {
  const seconds = options.quick ? 0.3 : 1;
  const engine = benchEngine(seconds);
  const lean = await benchUseCase(seconds, 'lean');
  const test = await benchUseCase(seconds, 'test-fakes');
  return {
    engineDecisionsPerSecond: engine,
    useCaseDecisionsPerSecond: lean.perSecond,
    useCaseWithTestFakesDecisionsPerSecond: test.perSecond,
    useCaseOutcomes: lean.outcomes,
    targetPerSecond: TARGET_PER_SECOND,
    engineMet: engine >= TARGET_PER_SECOND,
    useCaseMet: lean.perSecond >= TARGET_PER_SECOND,
  };
}

/** Inputs covering the engine's main paths, built once so the loop measures `decideAlarm` alone. */
export function engineInputs(): AlarmDecisionInput[] {
  const target = ecsTarget();
  const now = T0 + 5 * MINUTE;
  const alarm = transition('ALARM', now - 20_000);
  const base = (over: Partial<AlarmDecisionInput>): AlarmDecisionInput => ({
    now,
    decisionId: 'd-1',
    transition: alarm,
    target,
    state: seededState(),
    live: liveInProgress('checkout:42', T0),
    globalPause: undefined,
    maxEventAgeMs: 60 * MINUTE,
    ...over,
  });
  // A target that has seen a day of alarms carries a full dedupe history (100 records), as in production.
  const busy = decideMany(base({}), 100);
  return [
    base({}), // in progress → stop
    base({ live: liveCompleted('checkout:42', T0, T0 + 2 * MINUTE) }), // inside the watch window → redeploy
    base({ live: liveCompleted('checkout:41', T0 - 1440 * MINUTE, T0 - 1438 * MINUTE) }), // known-good
    base({ transition: transition('OK', now - 20_000) }), // recovery
    base({ transition: transition('ALARM', now - 120 * MINUTE) }), // stale
    base({ globalPause: { by: 'ops', reason: 'incident', at: now - MINUTE } }), // paused
    base({ state: seededState({ lastRollbackAt: now - 5 * MINUTE, rollbackTimes: [now - 5 * MINUTE] }) }), // cooldown
    base({ live: { kind: 'invalid', why: 'service not found' } }), // target invalid
    base({ state: busy }), // in progress, long history
    base({ state: decideAlarm(base({})).next }), // the same transition again: duplicate
  ];
}

function benchEngine(seconds: number): number {
  const inputs = engineInputs();
  let decided = 0;
  let sink = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < BATCH; i++) {
      // The sink keeps the result alive, so no part of the call can be optimised away.
      sink += decideAlarm(inputs[(decided + i) % inputs.length]).decision.detail.length;
    }
    decided += BATCH;
  }
  const elapsed = (performance.now() - start) / 1000;
  if (sink === 0) throw new Error('the engine decided nothing');
  return Math.round(decided / elapsed);
}

async function benchUseCase(
  seconds: number,
  ports: 'lean' | 'test-fakes',
): Promise<{ perSecond: number; outcomes: Record<string, number> }> {
  const targets = Array.from({ length: FLEET }, (_, i) => ecsTarget({}, `svc-${i}`));
  const config: RuntimeConfig = {
    schemaVersion: 1,
    account: '123456789012',
    region: 'us-east-1',
    maxEventAgeMinutes: 60,
    sweepIntervalMinutes: 5,
    targets,
  };
  // A quarter of the fleet each: two deploying a bad version, one just finished deploying, one on known-good.
  const lives: LiveTarget[] = [
    liveInProgress('checkout:42', T0),
    liveInProgress('checkout:42', T0),
    liveCompleted('checkout:42', T0, T0 + 2 * MINUTE),
    liveCompleted('checkout:41', T0 - 1440 * MINUTE, T0 - 1438 * MINUTE),
  ];
  const liveOf = (t: RuntimeTarget) => lives[targets.indexOf(t as (typeof targets)[number]) % lives.length];
  const clock = new ManualClock(T0 + 3 * MINUTE);
  const { deps, store } = ports === 'lean' ? leanDeps(clock, liveOf) : testDeps(clock, targets, lives);
  const seed = (s: { items: Map<string, TargetState> }) => {
    s.items.clear();
    for (const t of targets) s.items.set(t.id, seededState({ targetId: t.id }));
  };

  const outcomes: Record<string, number> = {};
  let decided = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < BATCH; i++, decided++) {
      if (decided % EPISODE === 0) {
        seed(store);
        clock.at = T0 + 3 * MINUTE;
      }
      clock.at += 1_000;
      const target = targets[decided % FLEET];
      const round = Math.floor(decided / FLEET);
      const value = round % 4 === 3 ? 'OK' : 'ALARM';
      const t = transition(value, clock.at - 5_000, { alarmName: target.alarms[round % 2] });
      for (const d of await handleAlarm(deps, config, t, `req-${decided}`)) {
        const key = `${d.outcome}/${d.reason}`;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
    }
  }
  const elapsed = (performance.now() - start) / 1000;
  return { perSecond: Math.round(decided / elapsed), outcomes };
}

function leanDeps(clock: ManualClock, liveOf: (t: RuntimeTarget) => LiveTarget) {
  const store = new LeanStateStore();
  const deployer = new LeanDeployer(liveOf);
  const reporter = new Reporter({ store, notifier: new CountingNotifier(), telemetry: silentTelemetry });
  const deps: UseCaseDeps = {
    store,
    deployerFor: () => deployer,
    clock,
    telemetry: silentTelemetry,
    reporter,
  };
  return { deps, store };
}

function testDeps(clock: ManualClock, targets: readonly RuntimeTarget[], lives: readonly LiveTarget[]) {
  const store = new InMemoryStateStore();
  const deployers = lives.map((live) => new FakeDeployer(live));
  const telemetry = new RecordingTelemetry();
  const reporter = new Reporter({ store, notifier: new RecordingNotifier(), telemetry });
  const deps: UseCaseDeps = {
    store: store satisfies StateStore,
    deployerFor: (t) => deployers[targets.indexOf(t) % deployers.length],
    clock,
    telemetry,
    reporter,
  };
  return { deps, store };
}

/** `count` transitions 10 s apart before `input`'s, each decided on the state the last one left. */
function decideMany(input: AlarmDecisionInput, count: number): TargetState {
  let state = input.state;
  for (let i = 0; i < count; i++) {
    const at = input.transition.timestamp - (count - i) * 10_000;
    const t = transition(i % 2 === 0 ? 'ALARM' : 'OK', at);
    state = decideAlarm({ ...input, now: at + 1_000, transition: t, state, live: undefined }).next;
  }
  return state;
}
