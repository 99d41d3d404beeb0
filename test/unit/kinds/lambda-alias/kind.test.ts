import { LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { DEFAULT_POLICY, type RuntimeLambdaAliasTarget } from '../../../../lambda/contract';
import type { KindEnv } from '../../../../lambda/kinds/kind';
import { lambdaAliasConfigKind } from '../../../../lambda/kinds/lambda-alias/config';
import { LambdaAliasDeployer } from '../../../../lambda/kinds/lambda-alias/deployer';
import { lambdaAliasKind } from '../../../../lambda/kinds/lambda-alias';
import { lambdaAliasCalls } from '../../../../lambda/kinds/lambda-alias/events';
import type { Clock, Telemetry } from '../../../../lambda/use-cases/ports';

const target: RuntimeLambdaAliasTarget = {
  id: 'checkout-api',
  type: 'lambda-alias',
  functionName: 'checkout-api',
  alias: 'live',
  alarms: ['checkout-api-errors'],
  policy: DEFAULT_POLICY,
};

const telemetry: Telemetry = { log: jest.fn(), count: jest.fn(), flush: jest.fn() };

function env(clock: Clock): { env: KindEnv; made: { name: string; settings: Record<string, unknown> }[] } {
  const made: { name: string; settings: Record<string, unknown> }[] = [];
  const kindEnv = {
    client: <C extends object>(name: string, make: (settings: Record<string, unknown>) => C): C => {
      const settings = { region: 'us-east-1', maxAttempts: 3 };
      made.push({ name, settings });
      return make(settings);
    },
    clients: {} as KindEnv['clients'],
    telemetry,
    env: {},
    clock,
  };
  return { env: kindEnv, made };
}

describe('lambdaAliasKind', () => {
  it('builds its deployer on the shared lambda client, created with the watchdog settings', async () => {
    // Prepare
    const { env: kindEnv, made } = env({ now: () => 0 });

    // Act
    const adapters = lambdaAliasKind.createAdapters(kindEnv);

    // Assess
    expect(adapters.deployer).toBeInstanceOf(LambdaAliasDeployer);
    expect(made).toEqual([{ name: 'lambda', settings: { region: 'us-east-1', maxAttempts: 3 } }]);
    const client = (adapters.deployer as unknown as { client: LambdaClient }).client;
    expect(client).toBeInstanceOf(LambdaClient);
    expect(await client.config.maxAttempts()).toBe(3);
  });

  it('owns the events that name its function and alias, and no other alias', async () => {
    // Prepare
    const { owns } = lambdaAliasKind.createAdapters(env({ now: () => 0 }).env);

    // Act, Assess
    expect(await owns(target, { functionName: 'checkout-api', alias: 'live' })).toBe(true);
    expect(await owns(target, { functionName: 'checkout-api', alias: 'canary' })).toBe(false);
    expect(await owns(target, { functionName: 'checkout', alias: 'live' })).toBe(false);
  });

  it('names the alias in words and in one token', () => {
    // Act, Assess
    expect(lambdaAliasKind.describe(target)).toBe('Lambda alias live of function checkout-api');
    expect(lambdaAliasKind.resource(target)).toBe('checkout-api:live');
    expect(lambdaAliasKind.identityFields).toEqual(['functionName', 'alias']);
  });

  it('links to the alias and the versions in the Lambda console of the region', () => {
    // Act
    const links = lambdaAliasKind.consoleLinks({ ...target, alias: 'live 2' }, 'eu-west-1');

    // Assess
    expect(links).toEqual([
      {
        label: 'Lambda alias checkout-api:live 2',
        url: 'https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/checkout-api/aliases/live%202',
      },
      {
        label: 'Versions of checkout-api',
        url: 'https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions/checkout-api?tab=versions',
      },
    ]);
  });

  it('has the sweep read every alias, needs no artifact to redeploy, and reads the alias calls', () => {
    // Act, Assess
    expect(lambdaAliasKind.sweep).toEqual({ alwaysInspect: true });
    expect(lambdaAliasKind.redeployNeedsArtifact).toBe(false);
    expect(lambdaAliasKind.events).toEqual([lambdaAliasCalls]);
  });
});

describe('lambdaAliasConfigKind', () => {
  const common = { id: z.string(), alarms: z.array(z.string()) };
  const schema = lambdaAliasConfigKind.schema(common);
  const valid = {
    id: 'checkout-api',
    type: 'lambda-alias',
    functionName: 'checkout-api',
    alias: 'live',
    alarms: ['a'],
  };
  const messages = (input: unknown): string[] => {
    const result = schema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('accepts a function name and an alias name', () => {
    // Act
    const result = schema.safeParse(valid);

    // Assess
    expect(result).toEqual({ success: true, data: valid });
  });

  it('refuses an ARN with the name to use instead, and the alias it qualifies', () => {
    // Act
    const found = messages({
      ...valid,
      functionName: 'arn:aws:lambda:us-east-1:123456789012:function:checkout-api:live',
    });

    // Assess
    expect(found).toEqual([
      'functionName: must be the function\'s name, not an ARN: "checkout-api" (and the alias "live" in "alias")',
    ]);
  });

  it('refuses a version number where the alias goes, and unknown keys', () => {
    // Act
    const found = messages({ ...valid, alias: '7', function: 'checkout-api' });

    // Assess
    expect(found).toEqual([
      'alias: must be an alias name, not a version number: the watchdog moves an alias between versions',
      ': Unrecognized key: "function"',
    ]);
  });

  it('refuses names Lambda would refuse', () => {
    // Act
    const found = messages({ ...valid, functionName: 'x'.repeat(65), alias: 'live!' });

    // Assess
    expect(found).toEqual([
      'functionName: must be a Lambda function name: 1-64 letters, digits, "-" or "_"',
      'alias: must be a Lambda alias name: 1-128 letters, digits, "-" or "_"',
    ]);
  });

  it('keys a target by function and alias, so two targets of one alias collide and two aliases do not', () => {
    // Act
    const live = lambdaAliasConfigKind.resourceOf(valid);
    const canary = lambdaAliasConfigKind.resourceOf({ ...valid, alias: 'canary' });

    // Assess
    expect(live).toEqual({
      key: 'lambda-alias\u0000checkout-api\u0000live',
      field: 'alias',
      what: 'Lambda alias live of function checkout-api',
    });
    expect(canary?.key).not.toBe(live?.key);
    expect(lambdaAliasConfigKind.resourceOf({ ...valid, alias: 7 })).toBeUndefined();
  });

  it('resolves to the runtime target with the common fields', () => {
    // Act
    const runtime = lambdaAliasConfigKind.resolve(
      {
        id: 'checkout-api',
        type: 'lambda-alias',
        functionName: 'checkout-api',
        alias: 'live',
        alarms: ['a'],
      },
      {
        id: 'checkout-api',
        alarms: ['a'],
        policy: DEFAULT_POLICY,
        runbookUrl: 'https://runbooks.example.com/x',
      },
    );

    // Assess
    expect(runtime).toEqual({
      id: 'checkout-api',
      type: 'lambda-alias',
      functionName: 'checkout-api',
      alias: 'live',
      alarms: ['a'],
      policy: DEFAULT_POLICY,
      runbookUrl: 'https://runbooks.example.com/x',
    });
  });
});
