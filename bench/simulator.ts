import { parseScenario } from '../lambda/sim/scenario-schema';
import { simulate } from '../lambda/sim/simulate';

/**
 * Simulator throughput (issue 3): a fleet of `targets` ECS services, each hit by a bad release whose alarm
 * transitions are delivered `deliveries` times, then a good release. The run must keep its promises (exactly
 * one rollback per target) and finish 1,000+ delivered events over 50 targets in under 10 seconds.
 */
export interface SimulatorBenchResult {
  readonly targets: number;
  readonly events: number;
  readonly rollbacks: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssMb: number;
  readonly expectPassed: boolean;
  readonly targetSeconds: number;
  readonly met: boolean;
}

export function fleetScenario(targets: number, deliveries: number, alarmsPerTarget = 1): unknown {
  const ids = Array.from({ length: targets }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const alarmsOf = (id: string) => Array.from({ length: alarmsPerTarget }, (_, a) => `${id}-alarm-${a}`);
  return {
    name: `alarm storm over ${targets} services`,
    start: '2026-03-01T10:00:00Z',
    config: {
      targets: ids.map((id) => ({
        id,
        type: 'ecs-service',
        cluster: 'prod',
        service: id,
        alarms: alarmsOf(id),
      })),
    },
    world: {
      ecsServices: ids.map((id) => ({
        cluster: 'prod',
        service: id,
        taskDefinition: `${id}:1`,
        rolloutSeconds: 120,
      })),
      codeDeployGroups: [],
      // A target's alarms fire together (RELIABILITY #7): staggered ones would never fire, since the first
      // alarm's rollback restores the good version before the later delay elapses.
      alarms: ids.flatMap((id) =>
        alarmsOf(id).map((name) => ({ name, watches: id, delaySeconds: 60, deliveries })),
      ),
      badVersions: ids.map((id) => `${id}:2`),
    },
    timeline: ids.flatMap((id, i) => [
      { at: `+${i}s`, deploy: { target: id, version: `${id}:2` } },
      { at: `+${30 * 60 + i}s`, deploy: { target: id, version: `${id}:3` } },
    ]),
    until: '+2h',
    expect: {
      calls: { 'ecs:StopServiceDeployment': targets, 'ecs:UpdateService': 0 },
      decisions: [{ outcome: 'rollback', count: targets }],
      final: Object.fromEntries(ids.map((id) => [id, `${id}:3`])),
    },
  };
}

export async function benchSimulator(
  targets = 50,
  deliveries = 8,
  alarmsPerTarget = 1,
): Promise<SimulatorBenchResult> {
  const parsed = parseScenario(fleetScenario(targets, deliveries, alarmsPerTarget));
  if (!parsed.ok) throw new Error(`benchmark scenario is invalid:\n${parsed.problems.join('\n')}`);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = process.hrtime.bigint();
  const result = await simulate(parsed.scenario);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const events = result.output.stats.events;
  const targetSeconds = 10;
  return {
    targets,
    events,
    rollbacks: result.output.decisions.filter((d) => d.outcome === 'rollback').length,
    seconds: round(seconds),
    eventsPerSecond: Math.round(events / seconds),
    peakRssMb: Math.round(peak / 2 ** 20),
    expectPassed: result.output.expect.passed,
    targetSeconds,
    met: result.output.expect.passed && events >= 1000 && seconds < targetSeconds,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

export interface AlarmStormResult {
  readonly targets: number;
  readonly alarmsPerTarget: number;
  readonly deliveries: number;
  readonly events: number;
  readonly rollbacks: number;
  readonly exactlyOnePerIncident: boolean;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly peakRssMb: number;
}

/**
 * Alarm storm (issue 7): every target gets a bad release; each of its alarms goes to ALARM and later back to
 * OK, and every transition is delivered `deliveries` times. One incident per target, so exactly one rollback
 * per target may happen, however many events arrive.
 */
export async function benchAlarmStorm(
  targets = 200,
  alarmsPerTarget = 2,
  deliveries = 13,
): Promise<AlarmStormResult> {
  const r = await benchSimulator(targets, deliveries, alarmsPerTarget);
  return {
    targets,
    alarmsPerTarget,
    deliveries,
    events: r.events,
    rollbacks: r.rollbacks,
    exactlyOnePerIncident: r.expectPassed && r.rollbacks === targets,
    seconds: r.seconds,
    eventsPerSecond: r.eventsPerSecond,
    peakRssMb: r.peakRssMb,
  };
}
