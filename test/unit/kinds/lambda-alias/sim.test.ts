import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  LambdaClient,
  PreconditionFailedException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_POLICY, type RuntimeLambdaAliasTarget } from '../../../../lambda/contract';
import { LambdaAliasDeployer } from '../../../../lambda/kinds/lambda-alias/deployer';
import { parseAliasCallEvent } from '../../../../lambda/kinds/lambda-alias/events';
import {
  lambdaAliasSimKind,
  SIM_WATCHDOG_SESSION_ARN,
  type LambdaAliasEntry,
  type LosableAliasRecord,
} from '../../../../lambda/kinds/lambda-alias/sim';
import { SimulatorGapError } from '../../../../lambda/sim/world/world-context';
import { START_MS, recordingContext, seconds } from '../../sim/support';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';
const ALIAS = { FunctionName: 'checkout-api', Name: 'live' };
const DAY = 86_400_000;

function setup(
  options: {
    versions?: string[];
    shiftSeconds?: number;
    lost?: LosableAliasRecord[];
    unavailable?: string[];
  } = {},
) {
  const ctx = recordingContext();
  const serving: [string, string, boolean][] = [];
  const entry: LambdaAliasEntry = lambdaAliasSimKind.entrySchema.parse({
    functionName: 'checkout-api',
    alias: 'live',
    version: '7',
    ...(options.versions ? { versions: options.versions } : {}),
    ...(options.shiftSeconds !== undefined ? { shiftSeconds: options.shiftSeconds } : {}),
    ...(options.lost ? { lostEvents: options.lost } : {}),
  });
  const world = lambdaAliasSimKind.createWorld({
    ctx,
    entries: [entry],
    targets: new Map([['checkout-api:live', 'checkout-api']]),
    failingVersions: new Set(['8']),
    unavailableVersions: new Set(options.unavailable ?? []),
    onServing: (target, version, settled) => serving.push([target, version, settled]),
  });
  const api = world.commands().lambda ?? {};
  const run = (op: string, input: Record<string, unknown>) => {
    const command = api[op];
    if (!command) throw new Error(`no ${op}`);
    return command.run(input);
  };
  const getAlias = () => run('GetAlias', ALIAS);
  const records = () =>
    ctx.emitted.map((e) => ({
      at: e.at - START_MS,
      source: e.event.source,
      detail: e.event.detail as Record<string, any>,
    }));
  return { ctx, world, run, getAlias, records, serving };
}

describe('lambdaAliasSimKind', () => {
  it('describes its section of the world and what it counts as mutating', () => {
    // Prepare
    const target = {
      id: 'checkout-api',
      type: 'lambda-alias',
      functionName: 'checkout-api',
      alias: 'live',
    } as const;

    // Act, Assess
    expect(lambdaAliasSimKind.worldKey).toBe('lambdaAliases');
    expect(lambdaAliasSimKind.mutatingApis).toEqual(['lambda:UpdateAlias']);
    expect(lambdaAliasSimKind.targetResource({ ...target, alarms: ['a'] })).toBe('checkout-api:live');
    expect(lambdaAliasSimKind.missingEntry({ ...target, alarms: ['a'] })).toBe(
      'no Lambda alias checkout-api:live in $.world.lambdaAliases; add { "functionName": "checkout-api", "alias": "live", "version": "<published version>" }',
    );
  });

  it('fills in the defaults of an entry and names every problem of a bad one', () => {
    // Act
    const good = lambdaAliasSimKind.entrySchema.safeParse({
      functionName: 'fn',
      alias: 'live',
      version: '7',
    });
    const bad = lambdaAliasSimKind.entrySchema.safeParse({
      functionName: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
      alias: 'live',
      version: '$LATEST',
      shiftSeconds: -1,
      lostEvents: ['SUCCESS'],
      rolloutSeconds: 60,
    });

    // Assess
    expect(good).toEqual({
      success: true,
      data: { functionName: 'fn', alias: 'live', version: '7', shiftSeconds: 120, lostEvents: [] },
    });
    expect(bad.success ? [] : bad.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'functionName: must be a Lambda function name: 1-64 letters, digits, "-" or "_"',
      'version: must be a published version number, like "7" ($LATEST is not one)',
      'shiftSeconds: must be a whole number of seconds >= 0',
      'lostEvents.0: must be one of "shift", "complete"',
      // The scenario parser words unknown keys itself, from the issue's code and keys.
      ': must be an object { "functionName", "alias", "version", "versions"?, "shiftSeconds"?, "lostEvents"? }',
    ]);
    expect(bad.success ? undefined : bad.error.issues.at(-1)).toMatchObject({
      code: 'unrecognized_keys',
      keys: ['rolloutSeconds'],
    });
  });
});

describe('LambdaAliasWorld', () => {
  it('starts with the alias routing everything to its version, published a day before the start', () => {
    // Prepare
    const { run, getAlias } = setup();

    // Act
    const alias = getAlias();
    const initial = run('GetFunctionConfiguration', { FunctionName: 'checkout-api', Qualifier: '7' });
    const other = run('GetFunctionConfiguration', { FunctionName: 'checkout-api:8' });

    // Assess
    expect(alias).toEqual({
      AliasArn: 'arn:aws:lambda:us-east-1:123456789012:function:checkout-api:live',
      Name: 'live',
      FunctionVersion: '7',
      Description: '',
      RevisionId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
    });
    expect(initial).toMatchObject({
      Version: '7',
      FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:checkout-api:7',
      LastModified: new Date(START_MS - DAY - seconds(120)).toISOString().replace('Z', '+0000'),
    });
    expect(other).toMatchObject({ Version: '8', LastModified: '2026-03-01T10:00:00.000+0000' });
    expect(other.CodeSha256).not.toBe(initial.CodeSha256);
  });

  it('shifts a release 10% at once and all the way after shiftSeconds, with a CloudTrail record of each step', async () => {
    // Prepare
    const { ctx, world, getAlias, records, serving } = setup({ shiftSeconds: 300 });
    const before = getAlias().RevisionId;

    // Act
    const handled = world.deploy('checkout-api', '8', ALICE);
    const shifting = getAlias();
    await ctx.clock.runUntil(START_MS + seconds(300));
    const shifted = getAlias();

    // Assess
    expect(handled).toBe(true);
    expect(shifting).toMatchObject({
      FunctionVersion: '7',
      RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } },
    });
    expect(shifting.RevisionId).not.toBe(before);
    expect(shifted).toMatchObject({ FunctionVersion: '8' });
    expect(shifted).not.toHaveProperty('RoutingConfig');
    expect(serving).toEqual([
      ['checkout-api', '8', false],
      ['checkout-api', '8', true],
    ]);
    const [first, second] = records();
    expect(first).toMatchObject({
      at: 0,
      source: 'aws.lambda',
      detail: {
        eventSource: 'lambda.amazonaws.com',
        eventName: 'UpdateAlias20150331',
        userIdentity: { type: 'AssumedRole', arn: ALICE },
        requestParameters: {
          functionName: 'checkout-api',
          name: 'live',
          routingConfig: { additionalVersionWeights: { '8': 0.1 } },
        },
        responseElements: { functionVersion: '7', revisionId: shifting.RevisionId },
      },
    });
    expect(second).toMatchObject({
      at: seconds(300),
      detail: {
        requestParameters: { functionVersion: '8', revisionId: shifting.RevisionId },
        responseElements: { functionVersion: '8', revisionId: shifted.RevisionId },
      },
    });
    expect(second?.detail.responseElements).not.toHaveProperty('routingConfig');
  });

  it('emits records the watchdog reads as the deployments its deployer sees', async () => {
    // Prepare: the real deployer, answered by the world
    const { ctx, world, run, records } = setup({ shiftSeconds: 60 });
    const lambda = mockClient(LambdaClient);
    lambda.on(GetAliasCommand).callsFake((input) => run('GetAlias', input));
    lambda.on(GetFunctionConfigurationCommand).callsFake((input) => run('GetFunctionConfiguration', input));
    const target: RuntimeLambdaAliasTarget = {
      id: 'checkout-api',
      type: 'lambda-alias',
      functionName: 'checkout-api',
      alias: 'live',
      alarms: ['checkout-api-errors'],
      policy: DEFAULT_POLICY,
    };
    const deployer = new LambdaAliasDeployer({
      client: new LambdaClient({ region: 'us-east-1' }),
      clock: ctx.clock,
    });
    try {
      // Act
      world.deploy('checkout-api', '8', ALICE);
      const during = await deployer.inspect(target);
      await ctx.clock.runUntil(START_MS + seconds(60));
      const after = await deployer.inspect(target);
      const events = ctx.emitted.map((e) => parseAliasCallEvent(e.event, { now: ctx.clock.now() }));

      // Assess
      expect(records()).toHaveLength(2);
      expect(events.map((e) => e.ok && e.value.kind === 'deployment' && e.value.event)).toEqual([
        expect.objectContaining({
          phase: 'in-progress',
          deploymentId: during.kind === 'ok' && during.latest?.id,
        }),
        expect.objectContaining({
          phase: 'completed',
          deploymentId: after.kind === 'ok' && after.latest?.id,
        }),
      ]);
      expect(during).toMatchObject({
        currentVersion: '8',
        latest: { startedAt: START_MS, stopRestores: '7' },
      });
    } finally {
      lambda.restore();
    }
  });

  it('changes the alias but records nothing for a release that names nobody (no trail)', async () => {
    // Prepare
    const { ctx, world, records, serving } = setup({ shiftSeconds: 60 });

    // Act
    world.deploy('checkout-api', '8');
    await ctx.clock.runUntil(START_MS + seconds(60));

    // Assess
    expect(records()).toEqual([]);
    expect(world.versionOf('checkout-api')).toBe('8');
    expect(serving).toEqual([
      ['checkout-api', '8', false],
      ['checkout-api', '8', true],
    ]);
  });

  it('switches at once with shiftSeconds 0: one record, settled at once', () => {
    // Prepare
    const { world, getAlias, records, serving } = setup({ shiftSeconds: 0 });

    // Act
    world.deploy('checkout-api', '8', ALICE);

    // Assess
    expect(getAlias()).toMatchObject({ FunctionVersion: '8' });
    expect(records().map((r) => r.detail.requestParameters)).toEqual([
      {
        functionName: 'checkout-api',
        name: 'live',
        functionVersion: '8',
        routingConfig: { additionalVersionWeights: {} },
      },
    ]);
    expect(serving).toEqual([['checkout-api', '8', true]]);
  });

  it('refuses a release of an unpublished version, and does nothing for the version it runs', () => {
    // Prepare
    const { ctx, world, getAlias, records } = setup({ versions: ['8'] });
    const before = getAlias();

    // Act
    world.deploy('checkout-api', '9', ALICE);
    world.deploy('checkout-api', '7', ALICE);

    // Assess
    expect(getAlias()).toEqual(before);
    expect(records()).toEqual([]);
    expect(ctx.notes.map((n) => n.text)).toEqual([
      'checkout-api: release of 9 refused: no such published version of checkout-api (ResourceNotFoundException)',
      'checkout-api: release of 7: the alias already runs it',
    ]);
  });

  it('lets a newer release take over a shift: the older one never completes', async () => {
    // Prepare
    const { ctx, world, getAlias } = setup({ shiftSeconds: 120 });

    // Act
    world.deploy('checkout-api', '8', ALICE);
    await ctx.clock.runUntil(START_MS + seconds(60));
    world.deploy('checkout-api', '9', ALICE);
    await ctx.clock.runUntil(START_MS + seconds(150));
    const mid = getAlias();
    await ctx.clock.runUntil(START_MS + seconds(180));

    // Assess
    expect(mid).toMatchObject({
      FunctionVersion: '7',
      RoutingConfig: { AdditionalVersionWeights: { '9': 0.1 } },
    });
    expect(getAlias()).toMatchObject({ FunctionVersion: '9' });
  });

  it('does not answer for targets that are not its own', () => {
    // Prepare
    const { world } = setup();

    // Act, Assess
    expect(world.deploy('checkout', 'checkout:42')).toBe(false);
    expect(world.versionOf('checkout')).toBeUndefined();
  });

  describe("the watchdog's UpdateAlias", () => {
    it('stops a shift on condition of its revision, recorded as the watchdog, and the release gives up', async () => {
      // Prepare
      const { ctx, world, run, getAlias, records, serving } = setup({ shiftSeconds: 300 });
      world.deploy('checkout-api', '8', ALICE);
      const { RevisionId } = getAlias();

      // Act
      await ctx.clock.runUntil(START_MS + seconds(60));
      const answer = run('UpdateAlias', {
        ...ALIAS,
        FunctionVersion: '7',
        RoutingConfig: { AdditionalVersionWeights: {} },
        RevisionId,
      });
      await ctx.clock.runUntil(START_MS + seconds(600));

      // Assess
      expect(answer).toEqual(getAlias());
      expect(getAlias()).toMatchObject({ FunctionVersion: '7' });
      expect(getAlias()).not.toHaveProperty('RoutingConfig');
      expect(serving.at(-1)).toEqual(['checkout-api', '7', true]);
      const [, stop] = records();
      expect(stop).toMatchObject({
        at: seconds(60),
        detail: {
          userIdentity: { arn: SIM_WATCHDOG_SESSION_ARN },
          requestParameters: {
            functionName: 'checkout-api',
            name: 'live',
            functionVersion: '7',
            routingConfig: { additionalVersionWeights: {} },
            revisionId: RevisionId,
          },
          responseElements: { functionVersion: '7', revisionId: answer.RevisionId },
        },
      });
      expect(records()).toHaveLength(2);
      expect(ctx.notes.map((n) => n.text)).toContain(
        'checkout-api: release of 8 gives up: the alias changed while it shifted (PreconditionFailedException)',
      );
    });

    it('refuses a stale RevisionId and changes nothing', () => {
      // Prepare
      const { world, run, getAlias, records } = setup();
      const stale = getAlias().RevisionId;
      world.deploy('checkout-api', '8', ALICE);
      const before = getAlias();

      // Act
      const update = () => run('UpdateAlias', { ...ALIAS, FunctionVersion: '7', RevisionId: stale });

      // Assess
      expect(update).toThrow(PreconditionFailedException);
      expect(getAlias()).toEqual(before);
      expect(records()).toHaveLength(1);
    });

    it('keeps the weights when RoutingConfig is left out, and clears them with an empty map', () => {
      // Prepare
      const { world, run } = setup();
      world.deploy('checkout-api', '8', ALICE);

      // Act
      const kept = run('UpdateAlias', { ...ALIAS, FunctionVersion: '6' });
      const cleared = run('UpdateAlias', { ...ALIAS, RoutingConfig: { AdditionalVersionWeights: {} } });

      // Assess
      expect(kept).toMatchObject({
        FunctionVersion: '6',
        RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } },
      });
      expect(cleared).toMatchObject({ FunctionVersion: '6' });
      expect(cleared).not.toHaveProperty('RoutingConfig');
    });

    it.each([
      ['an unpublished version', { FunctionVersion: '9' }, ResourceNotFoundException],
      [
        'two weighted versions',
        { RoutingConfig: { AdditionalVersionWeights: { '8': 0.1, '6': 0.1 } } },
        InvalidParameterValueException,
      ],
      [
        'a weight on the primary version',
        { RoutingConfig: { AdditionalVersionWeights: { '7': 0.5 } } },
        InvalidParameterValueException,
      ],
      [
        'a weight above 1',
        { RoutingConfig: { AdditionalVersionWeights: { '8': 1.5 } } },
        InvalidParameterValueException,
      ],
      ['a Description', { Description: 'rolled back' }, SimulatorGapError],
      ['$LATEST', { FunctionVersion: '$LATEST' }, SimulatorGapError],
    ])('answers %s as Lambda would (or as a simulator gap)', (_what, change, error) => {
      // Prepare
      const { run, getAlias, records } = setup({ versions: ['6', '8'] });
      const before = getAlias();

      // Act
      const update = () => run('UpdateAlias', { ...ALIAS, ...change });

      // Assess
      expect(update).toThrow(error);
      expect(getAlias()).toEqual(before);
      expect(records()).toEqual([]);
    });

    it.each([
      ['an alias that does not exist', { FunctionName: 'checkout-api', Name: 'canary' }, /^Alias not found/],
      ['a function that does not exist', { FunctionName: 'payments', Name: 'live' }, /^Function not found/],
      [
        "another account's function",
        { FunctionName: 'arn:aws:lambda:us-east-1:999999999999:function:checkout-api', Name: 'live' },
        /^Function not found/,
      ],
    ])('answers ResourceNotFoundException for %s', (_what, input, message) => {
      // Prepare
      const { run } = setup();

      // Act
      const read = () => run('GetAlias', input);

      // Assess
      expect(read).toThrow(ResourceNotFoundException);
      expect(read).toThrow(message);
    });

    it('accepts the function by ARN, as Lambda does', () => {
      // Prepare
      const { run } = setup();

      // Act
      const alias = run('GetAlias', {
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:checkout-api',
        Name: 'live',
      });

      // Assess
      expect(alias).toMatchObject({ FunctionVersion: '7' });
    });

    it('is attributed to its target in the calls of a run', () => {
      // Prepare
      const { world } = setup();
      const update = world.commands().lambda?.['UpdateAlias'];

      // Act, Assess
      expect(update?.target?.({ ...ALIAS, FunctionVersion: '7' })).toBe('checkout-api');
      expect(update?.target?.({ FunctionName: 'payments', Name: 'live' })).toBe('payments:live');
    });
  });

  describe('GetFunctionConfiguration', () => {
    it('reads a version through an alias qualifier', () => {
      // Prepare
      const { run } = setup();

      // Act
      const config = run('GetFunctionConfiguration', { FunctionName: 'checkout-api', Qualifier: 'live' });

      // Assess
      expect(config).toMatchObject({ Version: '7' });
    });

    it('refuses a qualifier that contradicts the one in the name, an unknown version and $LATEST', () => {
      // Prepare
      const { run } = setup({ versions: ['8'] });

      // Act, Assess
      expect(() =>
        run('GetFunctionConfiguration', { FunctionName: 'checkout-api:8', Qualifier: '7' }),
      ).toThrow(InvalidParameterValueException);
      expect(() => run('GetFunctionConfiguration', { FunctionName: 'checkout-api', Qualifier: '9' })).toThrow(
        ResourceNotFoundException,
      );
      expect(() => run('GetFunctionConfiguration', { FunctionName: 'checkout-api' })).toThrow(
        SimulatorGapError,
      );
    });
  });

  describe('lost records', () => {
    it("loses the records of the kind named, the watchdog's own included, and says so on the timeline", async () => {
      // Prepare
      const { ctx, world, run, getAlias, records } = setup({ shiftSeconds: 60, lost: ['complete'] });

      // Act
      world.deploy('checkout-api', '8', ALICE);
      await ctx.clock.runUntil(START_MS + seconds(60));
      run('UpdateAlias', { ...ALIAS, FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } });

      // Assess
      expect(getAlias()).toMatchObject({ FunctionVersion: '7' });
      expect(records().map((r) => r.detail.requestParameters.routingConfig)).toEqual([
        { additionalVersionWeights: { '8': 0.1 } },
      ]);
      expect(ctx.notes.filter((n) => n.kind === 'lost').map((n) => n.text)).toEqual([
        'checkout-api: CloudTrail record lost: UpdateAlias20150331 (complete, 8) is never delivered',
        'checkout-api: CloudTrail record lost: UpdateAlias20150331 (complete, 7) is never delivered',
      ]);
    });
  });

  describe('unavailableVersions', () => {
    const config = (run: (op: string, input: Record<string, unknown>) => unknown, version: string) => () =>
      run('GetFunctionConfiguration', { FunctionName: 'checkout-api', Qualifier: version });

    it('reports a version gone once no alias routes to it, and readable while one does', async () => {
      // Prepare
      const { ctx, world, run } = setup({ shiftSeconds: 60, unavailable: ['7'] });

      // Act
      const whileServing = config(run, '7')();
      world.deploy('checkout-api', '8');
      const whileShifting = config(run, '7')();
      await ctx.clock.runUntil(START_MS + seconds(60));

      // Assess
      expect(whileServing).toMatchObject({ Version: '7', State: 'Active' });
      expect(whileShifting).toMatchObject({ Version: '7' });
      expect(config(run, '7')).toThrow(ResourceNotFoundException);
      expect(config(run, '8')()).toMatchObject({ Version: '8' });
    });

    it('refuses the watchdog’s UpdateAlias onto one at once, leaving the alias as it was', async () => {
      // Prepare
      const { ctx, world, run, getAlias, serving } = setup({ shiftSeconds: 0, unavailable: ['7'] });
      world.deploy('checkout-api', '8');
      await ctx.clock.runUntil(START_MS + seconds(10));
      const before = getAlias();
      serving.length = 0;

      // Act
      const rollback = () =>
        run('UpdateAlias', {
          ...ALIAS,
          FunctionVersion: '7',
          RoutingConfig: { AdditionalVersionWeights: {} },
        });
      const canary = () =>
        run('UpdateAlias', { ...ALIAS, RoutingConfig: { AdditionalVersionWeights: { '7': 0.5 } } });

      // Assess
      expect(rollback).toThrow(ResourceNotFoundException);
      expect(canary).toThrow(ResourceNotFoundException);
      expect(getAlias()).toEqual(before);
      expect(serving).toEqual([]);
      expect(world.versionOf('checkout-api')).toBe('8');
    });

    it('deploys one for the timeline as usual, after which it exists while routed to', async () => {
      // Prepare
      const { ctx, world, run, getAlias } = setup({ shiftSeconds: 0, unavailable: ['8'] });

      // Act
      world.deploy('checkout-api', '8');
      await ctx.clock.runUntil(START_MS + seconds(10));

      // Assess
      expect(getAlias()).toMatchObject({ FunctionVersion: '8' });
      expect(config(run, '8')()).toMatchObject({ Version: '8' });
      // The watchdog's UpdateAlias back to 7, which exists, goes through.
      expect(run('UpdateAlias', { ...ALIAS, FunctionVersion: '7' })).toMatchObject({ FunctionVersion: '7' });
      expect(config(run, '8')).toThrow(ResourceNotFoundException);
    });
  });
});
