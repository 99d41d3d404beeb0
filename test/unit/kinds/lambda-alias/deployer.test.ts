import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  LambdaClient,
  PreconditionFailedException,
  ResourceConflictException,
  ResourceNotFoundException,
  ServiceException,
  TooManyRequestsException,
  UpdateAliasCommand,
  type AliasConfiguration,
  type FunctionConfiguration,
  type GetFunctionConfigurationCommandInput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_POLICY, type RuntimeLambdaAliasTarget } from '../../../../lambda/contract';
import { LambdaAliasDeployer } from '../../../../lambda/kinds/lambda-alias/deployer';
import { RetryableError, TargetInvalidError } from '../../../../lambda/use-cases/errors';
import { awsError } from '../../../support/aws-errors';
import { ecsTarget, SEC, T0 } from '../../../support/domain-fixtures';

const MIN = 60 * SEC;
const DAY = 24 * 60 * MIN;

const target: RuntimeLambdaAliasTarget = {
  id: 'checkout-api',
  type: 'lambda-alias',
  functionName: 'checkout-api',
  alias: 'live',
  alarms: ['checkout-api-errors'],
  policy: DEFAULT_POLICY,
};

/** Version 7 was published a day ago, version 8 an hour ago (Lambda's LastModified format). */
const PUBLISHED: Record<string, string> = {
  '7': new Date(T0 - DAY).toISOString().replace('Z', '+0000'),
  '8': new Date(T0 - 60 * MIN).toISOString().replace('Z', '+0000'),
};

function alias(primary: string, revisionId: string, weights?: Record<string, number>): AliasConfiguration {
  return {
    AliasArn: 'arn:aws:lambda:us-east-1:123456789012:function:checkout-api:live',
    Name: 'live',
    FunctionVersion: primary,
    Description: 'production traffic',
    RevisionId: revisionId,
    ...(weights ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
  };
}

function configuration(version: string, extra: Partial<FunctionConfiguration> = {}): FunctionConfiguration {
  return {
    FunctionName: 'checkout-api',
    FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:checkout-api:${version}`,
    Version: version,
    Runtime: 'nodejs22.x',
    CodeSha256: `${version}Xq1oVb5kGm2pZ9t4cUeYwR8sLnA0dFhJ3iKoPzQxW=`,
    Description: `release ${version}`,
    LastModified: PUBLISHED[version],
    ...extra,
  };
}

const lambdaError = <E>(Type: new (o: never) => E, message: string, attempts = 1): E =>
  new Type({ message, $metadata: { httpStatusCode: 400, attempts } } as never);

describe('LambdaAliasDeployer', () => {
  const lambda = mockClient(LambdaClient);
  let now: number;
  let log: jest.Mock;
  let deployer: LambdaAliasDeployer;

  beforeEach(() => {
    lambda.reset();
    now = T0;
    log = jest.fn();
    deployer = new LambdaAliasDeployer({
      client: new LambdaClient({ region: 'us-east-1' }),
      clock: { now: () => now },
      telemetry: { log },
    });
    lambda
      .on(GetFunctionConfigurationCommand)
      .callsFake((input: GetFunctionConfigurationCommandInput) =>
        configuration(input.Qualifier ?? '$LATEST'),
      );
  });

  describe('inspect', () => {
    it('reports an alias routing everything to one version as that version, completed', async () => {
      // Prepare
      lambda.on(GetAliasCommand).resolves(alias('7', 'rev-a'));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'ok',
        currentVersion: '7',
        latest: {
          id: '7@rev-a',
          version: '7',
          state: 'completed',
          startedAt: T0 - DAY,
          completedAt: T0,
          completedAtObserved: true,
        },
        previous: [],
        nativeRollback: false,
      });
      expect(lambda).toHaveReceivedCommandWith(GetAliasCommand, {
        FunctionName: 'checkout-api',
        Name: 'live',
      });
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 1);
      expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, {
        FunctionName: 'checkout-api',
        Qualifier: '7',
      });
    });

    it('names one alias state the same on every read, and a changed RevisionId as a new deployment', async () => {
      // Prepare
      lambda.on(GetAliasCommand).resolvesOnce(alias('7', 'rev-a')).resolvesOnce(alias('7', 'rev-a'));
      lambda.on(GetAliasCommand).resolves(alias('7', 'rev-b'));

      // Act
      const first = await deployer.inspect(target);
      now = T0 + 5 * MIN;
      const second = await deployer.inspect(target);
      const changed = await deployer.inspect(target);

      // Assess: same id and start; the read time moves, which the ledger ignores for a known id
      const latest = (l: typeof first) => (l.kind === 'ok' ? l.latest : undefined);
      expect(latest(second)).toMatchObject({ id: latest(first)?.id, startedAt: latest(first)?.startedAt });
      expect(latest(second)?.completedAt).toBe(T0 + 5 * MIN);
      expect(latest(changed)?.id).toBe('7@rev-b');
    });

    it('reports a weighted shift as the new version in progress, stoppable back to the primary version', async () => {
      // Prepare
      lambda.on(GetAliasCommand).resolves(alias('7', 'rev-b', { '8': 0.1 }));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'ok',
        currentVersion: '8',
        latest: {
          id: '8@rev-b',
          version: '8',
          state: 'in-progress',
          startedAt: T0 - 60 * MIN,
          stopRef: '7@rev-b',
          stopRestores: '7',
        },
        previous: [{ id: '7@rev-b', version: '7', state: 'completed', startedAt: T0 - DAY }],
        nativeRollback: false,
      });
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 2);
      expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { Qualifier: '8' });
    });

    it('refuses an alias pointing to $LATEST, which is no published version', async () => {
      // Prepare
      lambda.on(GetAliasCommand).resolves(alias('$LATEST', 'rev-a'));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'invalid',
        why: expect.stringContaining('points to $LATEST') as string,
      });
      expect(live.kind === 'invalid' && live.why).toMatch(/published versions only/);
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 0);
    });

    it.each([
      ['no RevisionId', { ...alias('7', 'rev-a'), RevisionId: undefined }, /no RevisionId/],
      ['no FunctionVersion', { ...alias('7', 'rev-a'), FunctionVersion: undefined }, /no FunctionVersion/],
      ['two weighted versions', alias('7', 'rev-a', { '8': 0.1, '9': 0.1 }), /one published version/],
      ['a weight on the primary version', alias('7', 'rev-a', { '7': 0.1 }), /one published version/],
    ])('refuses an answer with %s', async (_what, answer, why) => {
      // Prepare
      lambda.on(GetAliasCommand).resolves(answer);

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live.kind).toBe('invalid');
      expect(live.kind === 'invalid' && live.why).toMatch(why);
    });

    it('names the fix when the alias does not exist', async () => {
      // Prepare
      lambda
        .on(GetAliasCommand)
        .rejects(
          lambdaError(
            ResourceNotFoundException,
            'Alias not found: arn:aws:lambda:us-east-1:123456789012:function:checkout-api:live',
          ),
        );

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'invalid',
        why: 'GetAlias of alias live of function checkout-api failed: ResourceNotFoundException: Alias not found: arn:aws:lambda:us-east-1:123456789012:function:checkout-api:live: check functionName "checkout-api" and alias "live" of target checkout-api: the alias must exist in the watchdog\'s account and region',
      });
    });

    it('names the missing permission when GetAlias is denied', async () => {
      // Prepare
      lambda.on(GetAliasCommand).rejects(awsError('AccessDeniedException', { status: 403 }));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live.kind).toBe('invalid');
      expect(live.kind === 'invalid' && live.why).toMatch(
        /^GetAlias of alias live .* roles need lambda:GetAlias on the function/,
      );
    });

    it('names the missing permission when GetFunctionConfiguration is denied', async () => {
      // Prepare
      lambda.on(GetAliasCommand).resolves(alias('7', 'rev-b', { '8': 0.1 }));
      lambda.on(GetFunctionConfigurationCommand).rejects(awsError('AccessDeniedException', { status: 403 }));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live.kind).toBe('invalid');
      expect(live.kind === 'invalid' && live.why).toMatch(
        /^GetFunctionConfiguration of version 7 of function checkout-api failed: .* lambda:GetFunctionConfiguration/,
      );
    });

    it('refuses a version whose configuration has no LastModified time', async () => {
      // Prepare
      lambda.on(GetAliasCommand).resolves(alias('7', 'rev-a'));
      lambda.on(GetFunctionConfigurationCommand).resolves(configuration('7', { LastModified: 'yesterday' }));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'invalid',
        why: 'GetFunctionConfiguration of version 7 of function checkout-api reported no LastModified time ("yesterday")',
      });
    });

    it.each([
      ['throttled', lambdaError(TooManyRequestsException, 'Rate exceeded')],
      ['a server error', new ServiceException({ message: 'internal', $metadata: { httpStatusCode: 500 } })],
      ['another operation in progress', lambdaError(ResourceConflictException, 'operation in progress')],
    ])('throws RetryableError when GetAlias is %s', async (_what, error) => {
      // Prepare
      lambda.on(GetAliasCommand).rejects(error);

      // Act
      const inspected = deployer.inspect(target);

      // Assess
      await expect(inspected).rejects.toBeInstanceOf(RetryableError);
    });

    it('throws RetryableError when GetFunctionConfiguration is throttled', async () => {
      // Prepare
      lambda.on(GetAliasCommand).resolves(alias('7', 'rev-a'));
      lambda
        .on(GetFunctionConfigurationCommand)
        .rejects(lambdaError(TooManyRequestsException, 'Rate exceeded'));

      // Act
      const inspected = deployer.inspect(target);

      // Assess
      await expect(inspected).rejects.toThrow(/GetFunctionConfiguration of version 7 .* failed/);
      await expect(inspected).rejects.toBeInstanceOf(RetryableError);
    });

    it('lets an error it cannot classify escape unchanged', async () => {
      // Prepare
      const odd = new Error('socket hang up in a way nobody expected');
      lambda.on(GetAliasCommand).rejects(odd);

      // Act
      const inspected = deployer.inspect(target);

      // Assess
      await expect(inspected).rejects.toBe(odd);
    });

    it('refuses a target of another kind as a wiring bug', async () => {
      // Act
      const inspected = deployer.inspect(ecsTarget());

      // Assess
      await expect(inspected).rejects.toThrow(TypeError);
      expect(lambda).toHaveReceivedCommandTimes(GetAliasCommand, 0);
    });
  });

  describe('stop', () => {
    it('routes everything back to the primary version, on condition of the revision it read', async () => {
      // Prepare
      lambda.on(UpdateAliasCommand).resolves(alias('7', 'rev-c'));

      // Act
      const result = await deployer.stop(target, '7@rev-b');

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: '7@rev-c' });
      const [call] = lambda.commandCalls(UpdateAliasCommand);
      // Exactly these: no Description, so the alias keeps its own.
      expect(call?.args[0].input).toEqual({
        FunctionName: 'checkout-api',
        Name: 'live',
        FunctionVersion: '7',
        RoutingConfig: { AdditionalVersionWeights: {} },
        RevisionId: 'rev-b',
      });
    });

    it('reports the shift as already finished when the alias changed since it was read', async () => {
      // Prepare
      lambda
        .on(UpdateAliasCommand)
        .rejects(lambdaError(PreconditionFailedException, 'The Revision Id provided does not match.'));

      // Act
      const result = await deployer.stop(target, '7@rev-b');

      // Assess
      expect(result).toEqual({
        status: 'already-finished',
        detail:
          'alias live of function checkout-api changed after revision rev-b, so the shift was no longer there to stop (PreconditionFailedException: The Revision Id provided does not match)',
      });
    });

    it('reports a refusal on a retry as ambiguous: the first attempt may have been its own update', async () => {
      // Prepare
      lambda
        .on(UpdateAliasCommand)
        .rejects(lambdaError(PreconditionFailedException, 'The Revision Id provided does not match.', 2));

      // Act
      const stopped = deployer.stop(target, '7@rev-b');

      // Assess
      await expect(stopped).rejects.toBeInstanceOf(RetryableError);
      await expect(stopped).rejects.toThrow(/may already have taken effect/);
    });

    it('refuses a reference that is not <version>@<RevisionId> without calling Lambda', async () => {
      // Act
      const stopped = deployer.stop(target, 'rev-b');

      // Assess
      await expect(stopped).rejects.toBeInstanceOf(TargetInvalidError);
      expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
    });

    it.each([
      ['missing', lambdaError(ResourceNotFoundException, 'Alias not found'), TargetInvalidError],
      ['throttled', lambdaError(TooManyRequestsException, 'Rate exceeded'), RetryableError],
      ['busy', lambdaError(ResourceConflictException, 'operation in progress'), RetryableError],
    ])('maps an alias that is %s', async (_what, error, expected) => {
      // Prepare
      lambda.on(UpdateAliasCommand).rejects(error);

      // Act
      const stopped = deployer.stop(target, '7@rev-b');

      // Assess
      await expect(stopped).rejects.toBeInstanceOf(expected);
      await expect(stopped).rejects.toThrow(/UpdateAlias of alias live of function checkout-api back to 7/);
    });
  });

  describe('redeploy', () => {
    it('points the alias at the version and clears any weights, without a condition or a description', async () => {
      // Prepare
      lambda.on(UpdateAliasCommand).resolves(alias('7', 'rev-d'));

      // Act
      const result = await deployer.redeploy(target, '7');

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: '7@rev-d' });
      const [call] = lambda.commandCalls(UpdateAliasCommand);
      expect(call?.args[0].input).toEqual({
        FunctionName: 'checkout-api',
        Name: 'live',
        FunctionVersion: '7',
        RoutingConfig: { AdditionalVersionWeights: {} },
      });
    });

    it('issues without a reference when Lambda answers without a RevisionId', async () => {
      // Prepare
      lambda.on(UpdateAliasCommand).resolves({ ...alias('7', 'x'), RevisionId: undefined });

      // Act
      const result = await deployer.redeploy(target, '7');

      // Assess
      expect(result).toEqual({ status: 'issued' });
    });

    it.each(['$LATEST', 'checkout-api:41', '0', ''])(
      'refuses %j, which is no published version',
      async (version) => {
        // Act
        const redeployed = deployer.redeploy(target, version);

        // Assess
        await expect(redeployed).rejects.toBeInstanceOf(TargetInvalidError);
        expect(lambda).toHaveReceivedCommandTimes(UpdateAliasCommand, 0);
      },
    );

    it.each([
      [
        'an unpublished version',
        lambdaError(ResourceNotFoundException, 'Function not found'),
        TargetInvalidError,
      ],
      ['an invalid request', lambdaError(InvalidParameterValueException, 'bad'), TargetInvalidError],
      [
        'a server error',
        new ServiceException({ message: 'internal', $metadata: { httpStatusCode: 500 } }),
        RetryableError,
      ],
    ])('maps %s', async (_what, error, expected) => {
      // Prepare
      lambda.on(UpdateAliasCommand).rejects(error);

      // Act
      const redeployed = deployer.redeploy(target, '9');

      // Assess
      await expect(redeployed).rejects.toBeInstanceOf(expected);
      await expect(redeployed).rejects.toThrow(
        /UpdateAlias of alias live of function checkout-api to version 9/,
      );
    });
  });

  describe('describeChange', () => {
    it('lists the code package, description and runtime that differ', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand, { Qualifier: '8' })
        .resolves(configuration('8', { CodeSha256: 'NEWNEWNEWNEW-rest-of-the-digest=' }))
        .on(GetFunctionConfigurationCommand, { Qualifier: '7' })
        .resolves(
          configuration('7', {
            CodeSha256: 'OLDOLDOLDOLD-rest-of-the-digest=',
            Description: '',
            Runtime: 'nodejs20.x',
          }),
        );

      // Act
      const lines = await deployer.describeChange(target, '8', '7');

      // Assess
      expect(lines).toEqual([
        'code: sha256 NEWNEWNEWNEW → OLDOLDOLDOLD',
        'description: "release 8" → (none)',
        'runtime: nodejs22.x → nodejs20.x',
      ]);
    });

    it('says nothing more when the two versions look the same', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).resolves(configuration('7'));

      // Act
      const lines = await deployer.describeChange(target, '8', '7');

      // Assess
      expect(lines).toEqual([]);
    });

    it('shortens a long description', async () => {
      // Prepare
      const long = 'x'.repeat(200);
      lambda
        .on(GetFunctionConfigurationCommand, { Qualifier: '8' })
        .resolves(configuration('8', { Description: long }))
        .on(GetFunctionConfigurationCommand, { Qualifier: '7' })
        .resolves(configuration('8', { Description: 'short' }));

      // Act
      const [line] = await deployer.describeChange(target, '8', '7');

      // Assess
      expect(line).toBe(`description: "${'x'.repeat(79)}…" → "short"`);
    });

    it('never throws: a failed read gives no lines and is logged', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand, { Qualifier: '7' })
        .rejects(awsError('AccessDeniedException', { status: 403 }));

      // Act
      const lines = await deployer.describeChange(target, '8', '7');

      // Assess
      expect(lines).toEqual([]);
      expect(log).toHaveBeenCalledWith(
        'info',
        'GetFunctionConfiguration failed; notifying without the version change',
        expect.objectContaining({ target: 'checkout-api', from: '8', to: '7' }),
      );
    });

    it('never throws, not even for a target of another kind', async () => {
      // Act
      const lines = await deployer.describeChange(ecsTarget(), 'checkout:42', 'checkout:41');

      // Assess
      expect(lines).toEqual([]);
      expect(log).toHaveBeenCalledTimes(1);
    });
  });

  describe('viability', () => {
    it('finds a published version runnable, reading its configuration by qualifier', async () => {
      // Act
      const result = await deployer.viability(target, '7');

      // Assess
      expect(result).toEqual({ runnable: true });
      expect(lambda.commandCalls(GetFunctionConfigurationCommand)[0]?.args[0].input).toEqual({
        FunctionName: 'checkout-api',
        Qualifier: '7',
      });
    });

    it('reports a deleted version as missing', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand, { Qualifier: '7' })
        .rejects(lambdaError(ResourceNotFoundException, 'Function not found: checkout-api:7'));

      // Act
      const result = await deployer.viability(target, '7');

      // Assess
      expect(result).toEqual({
        runnable: false,
        missing: ['version 7 of function checkout-api was deleted: the alias can no longer be routed to it'],
      });
    });

    it('reports a Failed version as missing, with Lambda’s reason', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand, { Qualifier: '7' }).resolves(
        configuration('7', {
          State: 'Failed',
          StateReason: 'The subnet does not exist',
          StateReasonCode: 'SubnetOutOfIPAddresses',
        }),
      );

      // Act
      const result = await deployer.viability(target, '7');

      // Assess
      expect(result.runnable).toBe(false);
      expect(result.missing).toEqual([
        'version 7 of function checkout-api is in state Failed: The subnet does not exist (SubnetOutOfIPAddresses): it cannot run',
      ]);
    });

    it.each(['Inactive', 'Pending', 'Active'] as const)('finds an %s version runnable', async (State) => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand, { Qualifier: '7' }).resolves(configuration('7', { State }));

      // Act / Assess
      await expect(deployer.viability(target, '7')).resolves.toEqual({ runnable: true });
    });

    it('reports a denied read as unchecked, naming the grant', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand)
        .rejects(awsError('AccessDeniedException', { status: 403, message: 'not authorized' }));

      // Act
      const result = await deployer.viability(target, '7');

      // Assess
      expect(result).toEqual({
        runnable: true,
        unchecked: [
          expect.stringMatching(
            /^version 7 of function checkout-api could not be checked: .*lambda:GetFunctionConfiguration/,
          ),
        ],
      });
    });

    it.each([
      ['throttled', () => lambdaError(TooManyRequestsException, 'Rate exceeded')],
      ['a 5xx', () => new ServiceException({ message: 'boom', $metadata: { httpStatusCode: 500 } })],
      ['a conflicting update', () => lambdaError(ResourceConflictException, 'update in progress')],
    ])('throws RetryableError when the read fails transiently (%s)', async (_name, error) => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).rejects(error());

      // Act / Assess
      await expect(deployer.viability(target, '7')).rejects.toBeInstanceOf(RetryableError);
    });

    it('reports a version that is no published version number as unchecked, reading nothing', async () => {
      // Act
      const result = await deployer.viability(target, '$LATEST');

      // Assess
      expect(result).toEqual({
        runnable: true,
        unchecked: [expect.stringContaining('"$LATEST" is not a published version')],
      });
      expect(lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(0);
    });
  });
});
