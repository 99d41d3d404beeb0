import {
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import { RetryableError } from '../use-cases/errors';
import type { PipelineFreezer } from '../use-cases/ports';
import { classifyAwsError, describeError } from './aws-errors';

/** CodePipeline's reason field takes at most 300 characters. */
const REASON_MAX = 300;

/**
 * Deploy freeze through CodePipeline: the stage's *inbound* transition is disabled, so nothing new reaches
 * the stage (the bad version cannot be redelivered) while whatever is already in it finishes.
 */
export class CodePipelineFreezer implements PipelineFreezer {
  private readonly client: CodePipelineClient;

  constructor(options: { client: CodePipelineClient }) {
    this.client = options.client;
  }

  async disable(pipeline: string, stage: string, reason: string): Promise<void> {
    // CodePipeline rejects any reason outside [a-zA-Z0-9!@ ().*?-]: everything else becomes a space.
    const safe = reason
      .replace(/[^a-zA-Z0-9!@ ().*?-]/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim()
      .slice(0, REASON_MAX);
    await this.send(`disable ${pipeline}/${stage}`, () =>
      this.client.send(
        new DisableStageTransitionCommand({
          pipelineName: pipeline,
          stageName: stage,
          transitionType: 'Inbound',
          reason: safe,
        }),
      ),
    );
  }

  async enable(pipeline: string, stage: string): Promise<void> {
    await this.send(`enable ${pipeline}/${stage}`, () =>
      this.client.send(
        new EnableStageTransitionCommand({
          pipelineName: pipeline,
          stageName: stage,
          transitionType: 'Inbound',
        }),
      ),
    );
  }

  private async send(what: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (classifyAwsError(error) === 'retryable')
        throw new RetryableError(`${what}: ${describeError(error)}`, { cause: error });
      throw new Error(`${what}: ${describeError(error)}`, { cause: error });
    }
  }
}
