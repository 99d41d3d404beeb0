import { parseScenario } from '../lambda/sim/scenario-schema';
import { simulate, type SimulationResult } from '../lambda/sim/simulate';

/**
 * How long a rollback takes once decided, in simulated time (issue 16), per ECS strategy and moment: from the
 * rollback decision until the known-good version serves all production traffic (`servesAllTraffic`), and until
 * the rollback's deployment has completed, ECS's bake included (`completed`). The simulated world replays ECS's
 * documented behaviour (docs/architecture.md, "World semantics"), so the figures are the strategies' own steps
 * and bakes; real task start-up and hook run times come on top.
 */

/** The service settings every case uses, reported beside the figures (BENCHMARKS.md). */
export const ROLLBACK_BENCH_SETTINGS = {
  /** Green's start-up (or a rolling deployment's), before it takes traffic. */
  rolloutSeconds: 120,
  /** ECS's bake of the traffic-shifting strategies. */
  bakeTimeInMinutes: 10,
  linear: { stepPercent: 10, stepBakeMinutes: 6 },
  canary: { canaryPercent: 5, canaryBakeMinutes: 10 },
} as const;

type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

interface Case {
  readonly strategy: Strategy;
  /** The alarm fires during ECS's bake (the release is still in progress) or after the release completed. */
  readonly when: 'in-bake' | 'completed';
  readonly fastRollback: boolean;
}

export const ROLLBACK_BENCH_CASES = {
  rolling: { strategy: 'ROLLING', when: 'completed', fastRollback: true },
  blueGreenInBake: { strategy: 'BLUE_GREEN', when: 'in-bake', fastRollback: true },
  blueGreenCompleted: { strategy: 'BLUE_GREEN', when: 'completed', fastRollback: false },
  blueGreenCompletedFastTrack: { strategy: 'BLUE_GREEN', when: 'completed', fastRollback: true },
  linearCompleted: { strategy: 'LINEAR', when: 'completed', fastRollback: false },
  linearCompletedFastTrack: { strategy: 'LINEAR', when: 'completed', fastRollback: true },
  canaryCompleted: { strategy: 'CANARY', when: 'completed', fastRollback: false },
  canaryCompletedFastTrack: { strategy: 'CANARY', when: 'completed', fastRollback: true },
} as const satisfies Record<string, Case>;

export type RollbackBenchCase = keyof typeof ROLLBACK_BENCH_CASES;

export interface RollbackCompletionResult {
  /** Decision → the known-good version serves all production traffic, in simulated seconds. */
  readonly servesAllTraffic: Record<RollbackBenchCase, number>;
  /** Decision → the rollback's deployment completed (`rollback-succeeded`), in simulated seconds. */
  readonly completed: Record<RollbackBenchCase, number>;
  readonly settings: typeof ROLLBACK_BENCH_SETTINGS;
  /**
   * The fast track beats the replayed strategy (completion for BLUE_GREEN, whose replay serves all traffic as
   * soon as green is up; all traffic for LINEAR and CANARY), and a rollback during the bake serves all traffic
   * within a minute.
   */
  readonly met: boolean;
}

/** When the release completes after the deploy at +0, in minutes (scale-up, steps, bake). */
function releaseMinutes(strategy: Strategy): number {
  const s = ROLLBACK_BENCH_SETTINGS;
  const up = s.rolloutSeconds / 60;
  switch (strategy) {
    case 'ROLLING':
      return up;
    case 'BLUE_GREEN':
      return up + s.bakeTimeInMinutes;
    case 'LINEAR':
      return up + (100 / s.linear.stepPercent - 1) * s.linear.stepBakeMinutes + s.bakeTimeInMinutes;
    case 'CANARY':
      return up + s.canary.canaryBakeMinutes + s.bakeTimeInMinutes;
  }
}

function scenarioOf(c: Case): unknown {
  const s = ROLLBACK_BENCH_SETTINGS;
  // During the bake: one minute before the release completes; after it: five minutes after.
  const alarmAt = c.when === 'in-bake' ? releaseMinutes(c.strategy) - 1 : releaseMinutes(c.strategy) + 5;
  return {
    name: `rollback completion: ${c.strategy} ${c.when}${c.fastRollback ? ', fast track' : ''}`,
    start: '2026-03-01T10:00:00Z',
    config: {
      defaults: { watchWindowMinutes: 240, fastRollback: c.fastRollback },
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
    world: {
      ecsServices: [
        {
          cluster: 'prod',
          service: 'checkout',
          taskDefinition: 'checkout:41',
          rolloutSeconds: s.rolloutSeconds,
          strategy: c.strategy,
          ...(c.strategy !== 'ROLLING' ? { bakeTimeInMinutes: s.bakeTimeInMinutes } : {}),
          ...(c.strategy === 'LINEAR' ? { linear: s.linear } : {}),
          ...(c.strategy === 'CANARY' ? { canary: s.canary } : {}),
        },
      ],
      alarms: [{ name: 'checkout-5xx' }],
    },
    timeline: [
      { at: '+0s', deploy: { target: 'checkout', version: 'checkout:42' } },
      { at: `+${alarmAt}m`, alarm: { name: 'checkout-5xx', state: 'ALARM', reason: 'bench' } },
    ],
    until: '+6h',
  };
}

const ALL_TRAFFIC = (version: string) =>
  new RegExp(
    `(?:100% of production traffic shifted to|production traffic shifted back to) ${version.replace(':', '\\:')}\\b`,
  );

/** Seconds from the one rollback decision to the known-good version serving all traffic, and to completion. */
function measure(result: SimulationResult, strategy: Strategy): { serves: number; completed: number } {
  const decision = result.output.decisions.find((d) => d.outcome === 'rollback');
  if (!decision?.to) throw new Error('the benchmark scenario took no rollback decision');
  const decidedAt = Date.parse(decision.at);
  const succeeded = result.output.notifications.find((n) => n.kind === 'rollback-succeeded');
  if (!succeeded) throw new Error('the benchmark rollback never completed');
  const completedAt = Date.parse(succeeded.at);
  // A rolling deployment serves all traffic once it is done (the old tasks drain); the others say when.
  // World changes an invocation caused (the flip back of a stop) are recorded with it, the rest on their own.
  const notes = result.run.trace.flatMap((r) =>
    r.kind === 'note' ? [r] : r.kind === 'invocation' ? r.effects : [],
  );
  const shifted = notes.find((n) => n.at >= decidedAt && ALL_TRAFFIC(decision.to!).test(n.text))?.at;
  const servesAt = strategy === 'ROLLING' ? completedAt : shifted;
  if (servesAt === undefined) throw new Error('the known-good version never took all traffic');
  return { serves: (servesAt - decidedAt) / 1000, completed: (completedAt - decidedAt) / 1000 };
}

export async function benchRollbackCompletion(): Promise<RollbackCompletionResult> {
  const serves = {} as Record<RollbackBenchCase, number>;
  const completed = {} as Record<RollbackBenchCase, number>;
  for (const [name, c] of Object.entries(ROLLBACK_BENCH_CASES) as [RollbackBenchCase, Case][]) {
    const parsed = parseScenario(scenarioOf(c));
    if (!parsed.ok) throw new Error(`benchmark scenario ${name} is invalid:\n${parsed.problems.join('\n')}`);
    const m = measure(await simulate(parsed.scenario), c.strategy);
    serves[name] = m.serves;
    completed[name] = m.completed;
  }
  const met =
    serves.blueGreenInBake <= 60 &&
    completed.blueGreenCompletedFastTrack < completed.blueGreenCompleted &&
    serves.linearCompletedFastTrack < serves.linearCompleted &&
    serves.canaryCompletedFastTrack < serves.canaryCompleted;
  return { servesAllTraffic: serves, completed, settings: ROLLBACK_BENCH_SETTINGS, met };
}
