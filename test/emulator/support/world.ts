import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { AccessDeniedException } from '@aws-sdk/client-ecs';
import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MetadataBearer,
} from '@smithy/types';
import {
  createAwsClients,
  type AwsClients,
  type CreateAwsClientsOptions,
} from '../../../lambda/adapters/aws-clients';
import { DynamoDbStateStore } from '../../../lambda/adapters/dynamodb-state-store';
import { createRuntime, type WatchdogRuntime } from '../../../lambda/handlers/runtime';
import type { Clock } from '../../../lambda/use-cases/ports';
import { RecordingTelemetry } from '../../support/fakes';
import { MOTO_REGION } from './constants';
import type { MotoStack } from './stack';

/**
 * Wall time plus a fixed offset. moto stamps every deployment with its own wall clock and cannot backdate
 * one, so a test that needs "a version that completed 15 minutes ago" runs the watchdog 15 minutes ahead.
 */
export class OffsetClock implements Clock {
  constructor(public offsetMs = 0) {}
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface EmulatorWatchdog {
  readonly runtime: WatchdogRuntime;
  readonly clients: AwsClients;
  readonly telemetry: RecordingTelemetry;
  /** The same table the runtime uses, for assertions on what moto's DynamoDB holds. */
  readonly store: DynamoDbStateStore;
  close(): void;
}

/**
 * The real runtime (createRuntime with createAwsClients) against moto: the SDK clients find moto through
 * AWS_ENDPOINT_URL, set by the global setup, exactly as they would find AWS in Lambda.
 */
export function emulatorWatchdog(
  stack: MotoStack,
  options: { clock?: Clock; configure?: CreateAwsClientsOptions['configure'] } = {},
): EmulatorWatchdog {
  const clock = options.clock ?? new OffsetClock();
  const telemetry = new RecordingTelemetry();
  const clients = createAwsClients(options.configure ? { configure: options.configure } : {});
  const runtime = createRuntime({
    clients,
    tableName: stack.tableName,
    topicArn: stack.topicArn,
    stackName: 'Emulator',
    clock,
    telemetry,
    region: MOTO_REGION,
  });
  const store = new DynamoDbStateStore({ client: clients.dynamodb, tableName: stack.tableName });
  return {
    runtime,
    clients,
    telemetry,
    store,
    close: () => {
      for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
    },
  };
}

/**
 * moto 5.2.1 has no ListServiceDeployments: it answers with HTTP 500 and an HTML page, which EcsDeployer
 * rightly treats as a transient failure (and so would fail every ECS inspect). This answers that one call,
 * before it leaves the process, the way IAM does when the role may not call it (AccessDeniedException):
 * EcsDeployer's documented degraded mode, which then uses only DescribeServices, UpdateService and
 * DescribeTaskDefinition, all of which go to moto. No service deployment is invented: the path that needs
 * them (StopServiceDeployment) is covered by test/unit/adapters/ecs-deployer.test.ts and the simulator
 * scenarios, and moto-gaps.test.ts fails once moto implements the API, so that this can go.
 */
export const withoutListServiceDeployments: NonNullable<CreateAwsClientsOptions['configure']> = (
  client,
  name,
) => {
  if (name !== 'ecs') return;
  client.middlewareStack.add(
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
        if (context.commandName === 'ListServiceDeploymentsCommand') {
          throw new AccessDeniedException({
            message: 'denied in the emulator suite: moto 5.2.1 does not implement ListServiceDeployments',
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
    { step: 'initialize', name: 'emulatorWithoutListServiceDeployments' },
  );
};

/** Records the command name of every call a client sends (observation only: the call goes on unchanged). */
export class CallLog {
  readonly calls: string[] = [];

  readonly configure: NonNullable<CreateAwsClientsOptions['configure']> = (client, name) => {
    client.middlewareStack.add(
      (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
        (args: InitializeHandlerArguments<object>): Promise<InitializeHandlerOutput<MetadataBearer>> => {
          this.calls.push(`${name}:${(context.commandName ?? '').replace(/Command$/, '')}`);
          return next(args);
        },
      { step: 'initialize', name: 'emulatorCallLog' },
    );
  };

  count(call: string): number {
    return this.calls.filter((c) => c === call).length;
  }
}

/** Both configure hooks, in order. */
export function configureAll(
  ...hooks: NonNullable<CreateAwsClientsOptions['configure']>[]
): NonNullable<CreateAwsClientsOptions['configure']> {
  return (client, name) => hooks.forEach((hook) => hook(client, name));
}

/** An SQS queue in moto. */
export interface Queue {
  readonly url: string;
  readonly arn: string;
}

export async function createQueue(sqs: SQSClient, name: string): Promise<Queue> {
  const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!url) throw new Error(`moto returned no URL for queue ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`moto returned no ARN for queue ${name}`);
  return { url, arn };
}

/** A queue subscribed to `topicArn` (not raw: the body is SNS's JSON envelope, as Lambda receives it). */
export async function subscribedQueue(
  sns: SNSClient,
  sqs: SQSClient,
  topicArn: string,
  name: string,
  filterPolicy?: Record<string, unknown>,
): Promise<Queue> {
  const queue = await createQueue(sqs, name);
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queue.arn,
      ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
    }),
  );
  return queue;
}

/**
 * Receives (and deletes) messages until `count` arrived, then waits once more to make sure no others follow.
 * Fails with what did arrive when fewer come within `timeoutMs`.
 */
export async function receiveExactly(
  sqs: SQSClient,
  queue: Queue,
  count: number,
  timeoutMs = 10_000,
): Promise<Message[]> {
  const received: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) {
    received.push(...(await receiveBatch(sqs, queue, 1)));
  }
  if (received.length < count) {
    throw new Error(
      `expected ${count} message(s) on ${queue.url}, got ${received.length}: ${JSON.stringify(received.map((m) => m.Body))}`,
    );
  }
  received.push(...(await receiveBatch(sqs, queue, 1)));
  return received;
}

async function receiveBatch(sqs: SQSClient, queue: Queue, waitSeconds: number): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
    }),
  );
  if (Messages.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
  return Messages;
}
