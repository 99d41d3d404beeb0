import { z } from 'zod';
import type { LambdaAliasTargetConfig, RuntimeLambdaAliasTarget } from '../../contract';
import type { ConfigKind } from '../config-kind';
import { ALIAS_NAME, FUNCTION_NAME, parseFunctionRef } from './names';

const FUNCTION_NAME_HELP = 'must be a Lambda function name: 1-64 letters, digits, "-" or "_"';

/**
 * The function by name, as UpdateAlias accepts it and as the watchdog's IAM grants and EventBridge rule name it.
 * An ARN is refused with the name it holds, so the fix is in the message.
 */
const functionName = z.string({ error: FUNCTION_NAME_HELP }).check((ctx) => {
  if (FUNCTION_NAME.test(ctx.value)) return;
  const ref = ctx.value.includes(':') ? parseFunctionRef(ctx.value) : undefined;
  ctx.issues.push({
    code: 'custom',
    input: ctx.value,
    message:
      ref !== undefined
        ? `must be the function's name, not an ARN: "${ref.name}"${ref.qualifier !== undefined ? ` (and the alias "${ref.qualifier}" in "alias")` : ''}`
        : FUNCTION_NAME_HELP,
  });
});

const alias = z.string({ error: 'must be a Lambda alias name' }).check((ctx) => {
  if (ALIAS_NAME.test(ctx.value)) return;
  ctx.issues.push({
    code: 'custom',
    input: ctx.value,
    message: /^\d+$/.test(ctx.value)
      ? 'must be an alias name, not a version number: the watchdog moves an alias between versions'
      : 'must be a Lambda alias name: 1-128 letters, digits, "-" or "_"',
  });
});

/** The config-file side of `lambda-alias` targets. */
export const lambdaAliasConfigKind: ConfigKind<LambdaAliasTargetConfig, RuntimeLambdaAliasTarget> = {
  type: 'lambda-alias',
  schema: (common) => z.strictObject({ ...common, type: z.literal('lambda-alias'), functionName, alias }),
  identityFields: ['functionName', 'alias'],
  resourceOf: (raw) =>
    typeof raw['functionName'] === 'string' && typeof raw['alias'] === 'string'
      ? {
          key: `lambda-alias\u0000${raw['functionName']}\u0000${raw['alias']}`,
          field: 'alias',
          what: `Lambda alias ${raw['alias']} of function ${raw['functionName']}`,
        }
      : undefined,
  resolve: (target, common) => ({
    ...common,
    type: 'lambda-alias',
    functionName: target.functionName,
    alias: target.alias,
  }),
};
