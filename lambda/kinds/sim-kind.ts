import type { z } from 'zod';
import type { TargetConfig } from '../contract';
import type { SimCommands } from '../sim/sim-commands';
import type { WorldContext } from '../sim/world/world-context';

/**
 * The simulated account of one target kind (docs/architecture.md, "Target kinds"): a section of the scenario's
 * `world` (`lambdaAliases`, `appConfigEnvironments`) and the SDK operations that answer for it. The simulator's
 * runner reads the registry (`./sim-registry.ts`) and never names a kind. Semantics follow the existing worlds
 * (docs/architecture.md, "World semantics"): the version at start served for a day and is known-good; a
 * `badVersions` version makes the alarms watching its target fire once it serves; a `failingVersions` version's
 * deployment fails at the end of its rollout.
 */
export interface SimKind<T extends TargetConfig = TargetConfig, E = unknown> {
  readonly type: T['type'];
  /** The key of the kind's section under the scenario's `world`. */
  readonly worldKey: string;
  /** One entry of the section (strict, like every scenario object; problems name the field and the fix). */
  readonly entrySchema: z.ZodType<E>;
  /** What an entry describes, as `resource(target)` of the config target that protects it would say it. */
  entryResource(entry: E): string;
  /** The resource a config target of this kind protects (`my-fn:live`). */
  targetResource(target: T): string;
  /** The problem when the world has no entry for a config target: names the section and what to add. */
  missingEntry(target: T): string;
  /** The SDK client names the world answers for (`lambda`), and the mutating operations it counts in `calls`. */
  readonly mutatingApis: readonly string[];
  /**
   * The function environment the kind's stack side sets (KindEnv.env), as the simulated stack has it, e.g. the
   * id of a resource the stack creates. @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Builds the world of a run. */
  createWorld(input: SimKindWorldInput<E>): SimKindWorld;
}

export interface SimKindWorldInput<E> {
  readonly ctx: WorldContext;
  readonly entries: readonly E[];
  /** Entry resource → config target id (entries no target protects have none). */
  readonly targets: ReadonlyMap<string, string>;
  /** The scenario's `failingVersions`. */
  readonly failingVersions: ReadonlySet<string>;
  /**
   * The scenario's `unavailableVersions`: deleted after they served, as a retention policy deletes them. The
   * platform's reads of the version report it gone, and a deployment onto it the watchdog starts fails, leaving
   * the target on what it ran; a timeline `deploy` of it (and the initial version) deploys and serves as usual.
   */
  readonly unavailableVersions: ReadonlySet<string>;
  /** Tell it whenever the version a target serves changes (`settled` once the change is complete). */
  readonly onServing: (targetId: string, version: string, settled: boolean) => void;
}

export interface SimKindWorld {
  /** Operations by SDK client name (`lambda`, `appconfig`) then command name without `Command`. */
  commands(): Readonly<Record<string, SimCommands>>;
  /**
   * The timeline's `deploy` of `version` to `targetId` by someone other than the watchdog; with `by`, the
   * account has a trail and the call's CloudTrail record is emitted too. False when the target is not this world's.
   */
  deploy(targetId: string, version: string, by?: string): boolean;
  /** The version the target serves now (for `final` and the summary), undefined when not this world's. */
  versionOf(targetId: string): string | undefined;
}
