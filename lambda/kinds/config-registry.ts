import type { TargetType } from '../contract';
import { appConfigConfigKind } from './appconfig/config';
import type { ConfigKind } from './config-kind';
import { lambdaAliasConfigKind } from './lambda-alias/config';

/**
 * The config side of the target kinds that bring their own schema (docs/architecture.md, "Target kinds"). The
 * first two kinds, `ecs-service` and `codedeploy`, are still defined in lambda/boundary/config-schema.ts.
 */
export const CONFIG_KINDS: { readonly [K in TargetType]?: ConfigKind } = {
  'lambda-alias': lambdaAliasConfigKind,
  appconfig: appConfigConfigKind,
};
