import { parseScenario } from '../../../lambda/sim/scenario-schema';
import type { Scenario } from '../../../lambda/sim/scenario';
import { VirtualClock } from '../../../lambda/sim/virtual-clock';
import type { EventBridgeEvent } from '../../../lambda/sim/world/account';
import type { WorldContext, WorldNoteKind } from '../../../lambda/sim/world/world-context';

export const START = '2026-03-01T10:00:00Z';
export const START_MS = Date.parse(START);

/** A minimal valid scenario (one ECS target, one alarm, one bad deploy); `patch` replaces top-level fields. */
export function scenarioInput(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'test scenario',
    start: START,
    config: {
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
        { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41', rolloutSeconds: 120 },
      ],
      alarms: [{ name: 'checkout-5xx', watches: 'checkout', delaySeconds: 60 }],
      badVersions: ['checkout:42'],
    },
    timeline: [{ at: '+0s', deploy: { target: 'checkout', version: 'checkout:42' } }],
    until: '+30m',
    ...patch,
  };
}

export function validScenario(patch: Record<string, unknown> = {}): Scenario {
  const result = parseScenario(scenarioInput(patch));
  if (!result.ok) throw new Error(`expected a valid scenario, got:\n${result.problems.join('\n')}`);
  return result.scenario;
}

export interface Emitted {
  readonly at: number;
  readonly source: string;
  readonly event: EventBridgeEvent;
  readonly deliveries: number;
}

/** A WorldContext that records what the world emits and notes, on a real virtual clock, in `region`. */
export function recordingContext(
  startMs = START_MS,
  region = 'us-east-1',
): WorldContext & {
  readonly emitted: Emitted[];
  readonly notes: { at: number; kind: WorldNoteKind; text: string }[];
} {
  const clock = new VirtualClock(startMs);
  const counters = new Map<string, number>();
  const emitted: Emitted[] = [];
  const notes: { at: number; kind: WorldNoteKind; text: string }[] = [];
  return {
    clock,
    region,
    emitted,
    notes,
    emit: (source, event, deliveries) => emitted.push({ at: clock.now(), source, event, deliveries }),
    note: (_source, kind, text) => notes.push({ at: clock.now(), kind, text }),
    next: (counter) => {
      const n = (counters.get(counter) ?? 0) + 1;
      counters.set(counter, n);
      return n;
    },
  };
}

export const seconds = (n: number): number => n * 1_000;
export const minutes = (n: number): number => n * 60_000;
