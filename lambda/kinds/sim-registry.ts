import type { TargetType } from '../contract';
import { appConfigSimKind } from './appconfig/sim';
import type { SimKind } from './sim-kind';
import { lambdaAliasSimKind } from './lambda-alias/sim';

/**
 * The simulated accounts of the target kinds that bring their own world section (docs/architecture.md,
 * "Target kinds"). The first two kinds' worlds, `ecsServices` and `codeDeployGroups`, are still built in
 * lambda/sim/world.
 */
export const SIM_KINDS: { readonly [K in TargetType]?: SimKind } = {
  'lambda-alias': lambdaAliasSimKind,
  appconfig: appConfigSimKind,
};

/** Every kind's simulated world, in registry order. */
export function allSimKinds(): readonly SimKind[] {
  return Object.values(SIM_KINDS);
}
