import type { TargetType } from '../../lambda/contract';
import { appConfigCdkKind } from './appconfig';
import type { CdkTargetKind } from './kind';
import { lambdaAliasCdkKind } from './lambda-alias';

/**
 * The CDK side of the target kinds that bring their own grants and rules (docs/architecture.md, "Target
 * kinds"). The first two kinds, `ecs-service` and `codedeploy`, are still protected by RollbackWatchdog itself.
 */
export const CDK_KINDS: { readonly [K in TargetType]?: CdkTargetKind } = {
  'lambda-alias': lambdaAliasCdkKind,
  appconfig: appConfigCdkKind,
};
