import {
  CodePipelineClient,
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
  PipelineNotFoundException,
  StageNotFoundException,
  ValidationException,
} from '@aws-sdk/client-codepipeline';
import { installSimulator, type MutatingCall } from '../../../lambda/sim/aws-middleware';
import { CodePipelineWorld } from '../../../lambda/sim/world/codepipeline';
import { START_MS, minutes, recordingContext } from './support';

function setup() {
  const ctx = recordingContext();
  const world = new CodePipelineWorld(
    ctx,
    [
      { name: 'shop', stages: ['Source', 'Build', 'Prod'] },
      { name: 'search-delivery', stages: ['Prod'] },
    ],
    new Map([['shop/Prod', 'checkout']]),
  );
  const mutating: MutatingCall[] = [];
  // An endpoint nothing listens on: a request that left the process would fail.
  const client = new CodePipelineClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
  installSimulator(
    client,
    'codepipeline',
    { codepipeline: world.commands() },
    { counted: () => undefined, mutating: (call) => mutating.push(call), gap: () => undefined },
  );
  const disable = (pipelineName: string, stageName: string, reason = 'frozen by the watchdog') =>
    client.send(
      new DisableStageTransitionCommand({ pipelineName, stageName, transitionType: 'Inbound', reason }),
    );
  const enable = (pipelineName: string, stageName: string) =>
    client.send(new EnableStageTransitionCommand({ pipelineName, stageName, transitionType: 'Inbound' }));
  return { ctx, world, client, mutating, disable, enable };
}

describe('CodePipelineWorld', () => {
  it('disables and enables a stage transition, keeping its state per pipeline, stage and direction', async () => {
    const { ctx, world, client, disable, enable } = setup();
    try {
      expect(world.transition('shop', 'Prod')).toEqual({ enabled: true });
      await disable('shop', 'Prod', 'Rollback Watchdog rolled checkout back (resume with watchdog resume)');
      expect(world.transition('shop', 'Prod')).toEqual({
        enabled: false,
        disabledReason: 'Rollback Watchdog rolled checkout back (resume with watchdog resume)',
        lastChangedAt: START_MS,
      });
      expect(world.transition('shop', 'Prod', 'Outbound')).toEqual({ enabled: true });
      expect(world.transition('shop', 'Build')).toEqual({ enabled: true });
      expect(world.transition('search-delivery', 'Prod')).toEqual({ enabled: true });

      ctx.clock.after(minutes(30), () => undefined);
      await ctx.clock.runUntil(START_MS + minutes(30));
      await enable('shop', 'Prod');
      expect(world.transition('shop', 'Prod')).toEqual({
        enabled: true,
        lastChangedAt: START_MS + minutes(30),
      });
      expect(ctx.notes.map((n) => [n.at - START_MS, n.kind, n.text])).toEqual([
        [
          0,
          'codepipeline',
          'shop/Prod inbound transition disabled: Rollback Watchdog rolled checkout back (resume with watchdog resume)',
        ],
        [minutes(30), 'codepipeline', 'shop/Prod inbound transition enabled'],
      ]);
    } finally {
      client.destroy();
    }
  });

  it('is idempotent like CodePipeline: enabling an enabled transition or disabling a disabled one succeeds', async () => {
    const { ctx, world, client, disable, enable } = setup();
    try {
      await enable('shop', 'Prod');
      await disable('shop', 'Prod', 'first');
      await disable('shop', 'Prod', 'second');
      expect(world.transition('shop', 'Prod')).toEqual(
        expect.objectContaining({ enabled: false, disabledReason: 'second' }),
      );
      // Only real changes are worth a line in the timeline.
      expect(ctx.notes.map((n) => n.text)).toEqual(['shop/Prod inbound transition disabled: first']);
    } finally {
      client.destroy();
    }
  });

  it('answers PipelineNotFoundException and StageNotFoundException for what the account does not have', async () => {
    const { world, client, disable, enable } = setup();
    try {
      await expect(disable('checkout-pipeline', 'Prod')).rejects.toThrow(PipelineNotFoundException);
      await expect(enable('checkout-pipeline', 'Prod')).rejects.toThrow(
        "Account '123456789012' does not have a pipeline with name 'checkout-pipeline'",
      );
      await expect(disable('shop', 'Production')).rejects.toThrow(StageNotFoundException);
      await expect(enable('search-delivery', 'Build')).rejects.toThrow(
        "Stage 'Build' not found in pipeline 'search-delivery'",
      );
      expect(world.transition('shop', 'Prod')).toEqual({ enabled: true });
    } finally {
      client.destroy();
    }
  });

  it("checks requests against CodePipeline's constraints: the reason's character set and length, names, direction", async () => {
    const { world, client, disable } = setup();
    try {
      const colon = disable('shop', 'Prod', 'rolled back from checkout:42; resume with: watchdog resume');
      await expect(colon).rejects.toThrow(ValidationException);
      await expect(
        disable('shop', 'Prod', 'rolled back from checkout:42; resume with: watchdog resume'),
      ).rejects.toThrow(
        "1 validation error detected: Value 'rolled back from checkout:42; resume with: watchdog resume' at 'reason' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9!@ \\(\\)\\.\\*\\?\\-]+",
      );
      await expect(disable('shop', 'Prod', 'x'.repeat(301))).rejects.toThrow(
        'Member must have length less than or equal to 300',
      );
      await expect(disable('shop', 'Prod', '')).rejects.toThrow(
        "Value at 'reason' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
      await expect(disable('shop pipeline', 'Prod')).rejects.toThrow(
        "Value 'shop pipeline' at 'pipelineName' failed to satisfy constraint",
      );
      await expect(
        client.send(
          new DisableStageTransitionCommand({
            pipelineName: 'shop',
            stageName: 'Prod',
            transitionType: 'Sideways' as 'Inbound',
            reason: 'x',
          }),
        ),
      ).rejects.toThrow("Value 'Sideways' at 'transitionType' failed to satisfy constraint");
      // The longest valid reason, every allowed character.
      await disable('shop', 'Prod', `Az09!@ ().*?-${'x'.repeat(287)}`);
      expect(world.transition('shop', 'Prod')?.enabled).toBe(false);
    } finally {
      client.destroy();
    }
  });

  it('records both calls as mutating, attributed to the target whose freeze names the stage, failures included', async () => {
    const { client, mutating, disable, enable } = setup();
    try {
      await disable('shop', 'Prod');
      await enable('shop', 'Prod');
      await enable('shop', 'Build');
      await expect(disable('nowhere', 'Prod')).rejects.toThrow(PipelineNotFoundException);
      expect(mutating.map((c) => [c.api, c.target, c.error?.split(':')[0]])).toEqual([
        ['codepipeline:DisableStageTransition', 'checkout', undefined],
        ['codepipeline:EnableStageTransition', 'checkout', undefined],
        ['codepipeline:EnableStageTransition', 'shop', undefined],
        ['codepipeline:DisableStageTransition', 'nowhere', 'PipelineNotFoundException'],
      ]);
      expect(mutating[0]?.params).toEqual({
        pipelineName: 'shop',
        stageName: 'Prod',
        transitionType: 'Inbound',
        reason: 'frozen by the watchdog',
      });
    } finally {
      client.destroy();
    }
  });
});
