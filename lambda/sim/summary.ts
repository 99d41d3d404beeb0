import type { TargetConfig } from '../contract';
import { allSimKinds } from '../kinds/sim-registry';
import type { DecisionOut } from './trace';
import type { SimulationRun } from './runner';

/** How one rollback went, for the summary line. */
export interface RollbackTiming {
  readonly target: string;
  readonly at: number;
  /** From the start of the deployment rolled back to the rollback decision. */
  readonly detectMs?: number;
  /**
   * From the start of that deployment until the target had finished moving to a good version and every
   * alarm guarding it was OK again. Absent when that never happened before `until`.
   */
  readonly recoverMs?: number;
}

export function rollbackTimings(run: SimulationRun, decisions: readonly DecisionOut[]): RollbackTiming[] {
  return decisions
    .filter((d) => d.outcome === 'rollback')
    .map((d) => {
      const at = Date.parse(d.at);
      // With several regions the history names each region's target and alarms `name@region`.
      const key = d.region === undefined ? d.target : `${d.target}@${d.region}`;
      const started = run.history
        .filter(
          (h) => h.kind === 'serving' && h.target === key && h.version === d.from && !h.settled && h.at <= at,
        )
        .at(-1)?.at;
      const recovered = recoveredAt(run, d.target, at, d.region);
      return {
        target: d.target,
        at,
        ...(started === undefined ? {} : { detectMs: at - started }),
        ...(started === undefined || recovered === undefined ? {} : { recoverMs: recovered - started }),
      };
    });
}

/** The first moment at or after `from` when `target` is settled on a good version with all its alarms OK. */
function recoveredAt(run: SimulationRun, target: string, from: number, region?: string): number | undefined {
  const { scenario } = run;
  const bad = new Set(scenario.world.badVersions);
  const named = (name: string) => (region === undefined ? name : `${name}@${region}`);
  const here = (r: string | undefined) => region === undefined || (r ?? home(run)) === region;
  const configured = scenario.config.targets.find((t) => t.id === target)?.alarms ?? [];
  const guards = new Set(
    [
      ...configured,
      ...scenario.world.alarms.filter((a) => a.watches === target && here(a.region)).map((a) => a.name),
    ].map(named),
  );
  const alarms = new Map(
    scenario.world.alarms.filter((a) => here(a.region)).map((a) => [named(a.name), a.state as string]),
  );
  const initial = initialVersion(run, target, region);
  const key = named(target);
  let serving = { version: initial ?? '', settled: true };
  const healthy = () =>
    serving.settled &&
    !bad.has(serving.version) &&
    [...guards].every((name) => (alarms.get(name) ?? 'OK') === 'OK');

  let checkedFrom = false;
  for (const h of run.history) {
    if (!checkedFrom && h.at > from) {
      checkedFrom = true;
      if (healthy()) return from;
    }
    if (h.kind === 'serving' && h.target === key) serving = { version: h.version, settled: h.settled };
    if (h.kind === 'alarm') alarms.set(h.alarm, h.value);
    if (h.at >= from && healthy()) return h.at;
  }
  return !checkedFrom && healthy() ? from : undefined;
}

/** What `target` runs at start: its ECS service's task definition or its CodeDeploy group's revision. */
function initialVersion(run: SimulationRun, targetId: string, region?: string): string | undefined {
  const { world, config } = run.scenario;
  const target = config.targets.find((t) => t.id === targetId);
  const here = (r: string | undefined) => region === undefined || (r ?? home(run)) === region;
  switch (target?.type) {
    case 'ecs-service':
      return world.ecsServices.find(
        (s) => s.cluster === target.cluster && s.service === target.service && here(s.region),
      )?.taskDefinition;
    case 'codedeploy':
      return world.codeDeployGroups.find(
        (g) =>
          g.application === target.application &&
          g.deploymentGroup === target.deploymentGroup &&
          here(g.region),
      )?.revision;
    case undefined:
      return undefined;
    default:
      return target ? initialKindVersion(world, target) : undefined;
  }
}

/** A kind with its own world (lambda/kinds/sim-registry.ts): the `version` its entry starts at. */
function initialKindVersion(
  world: SimulationRun['scenario']['world'],
  target: TargetConfig,
): string | undefined {
  const kind = allSimKinds().find((k) => k.type === target.type);
  if (!kind) return undefined;
  const resource = kind.targetResource(target);
  for (const entry of world.kinds[kind.worldKey] ?? []) {
    if (kind.entryResource(entry) !== resource) continue;
    const version = (entry as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  }
  return undefined;
}

/** The region of world entries that name none: the config's home region (the first of its regions). */
function home(run: SimulationRun): string | undefined {
  return run.scenario.config.homeRegion ?? run.scenario.config.regions?.[0];
}
