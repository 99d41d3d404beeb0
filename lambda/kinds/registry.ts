import type { RuntimeTarget } from '../contract';
import { appConfigKind } from './appconfig';
import { codeDeployKind } from './codedeploy';
import { ecsServiceKind } from './ecs-service';
import { lambdaAliasKind } from './lambda-alias';
import type { KindEventSource, TargetKind } from './kind';

/**
 * Every target kind the Lambda runtime knows (docs/architecture.md, "Target kinds"). Adding a kind: its folder
 * in lambda/kinds, one line here, in ./config-registry.ts, ./sim-registry.ts and lib/kinds/registry.ts, and its
 * target types in lambda/contract/targets.ts.
 */
export const TARGET_KINDS: {
  readonly [K in RuntimeTarget['type']]?: TargetKind<Extract<RuntimeTarget, { type: K }>>;
} = {
  'ecs-service': ecsServiceKind,
  codedeploy: codeDeployKind,
  'lambda-alias': lambdaAliasKind,
  appconfig: appConfigKind,
};

/** The kind of a target. Throws for a kind this build does not know (the config item was written by a newer one). */
export function kindOf<T extends RuntimeTarget>(target: T): TargetKind<T> {
  const kind = TARGET_KINDS[target.type] as TargetKind<T> | undefined;
  if (!kind) throw new Error(`target ${target.id}: this watchdog does not know target type ${target.type}`);
  return kind;
}

/** Every kind, in registry order. */
export function allKinds(): readonly TargetKind[] {
  return Object.values(TARGET_KINDS) as readonly TargetKind[];
}

/** The kind and event source an EventBridge event belongs to, by its envelope, if any. */
export function eventSourceOf(raw: unknown): { kind: TargetKind; source: KindEventSource } | undefined {
  for (const kind of allKinds())
    for (const source of kind.events) if (source.matches(raw)) return { kind, source };
  return undefined;
}
