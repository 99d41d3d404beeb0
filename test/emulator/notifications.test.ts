import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSecretsManagerClient } from '../../lambda/adapters/secrets-manager';
import { ENV } from '../../lambda/contract';
import { RecordingTelemetry } from '../support/fakes';
import { NAMES } from './support/configs';
import { alarmEventFromMoto, snsEnvelope, type SnsEnvelope } from './support/events';
import { deployToMoto, emulatorTemplate, resolveIntrinsics, type MotoStack } from './support/stack';
import {
  CallLog,
  emulatorWatchdog,
  receiveExactly,
  subscribedQueue,
  type EmulatorWatchdog,
  type Queue,
} from './support/world';

/**
 * Notifications through moto: the template's topic, subscribed to SQS queues in moto, delivers the
 * watchdog's message with its attributes and body as SNS renders them for an SQS subscriber (the JSON
 * envelope, which is also what Lambda receives), and moto applies subscription filter policies on those
 * attributes. The Slack notifier then takes that very envelope, reads its webhook URL from moto's Secrets
 * Manager under the ARN the template gives it, and posts to a local HTTP server.
 *
 * The escalation comes from a real decision: the payments group does not exist in moto, so the
 * watchdog reports the target invalid.
 */
const { application: APPLICATION, alarm: ALARM, slackSecret: SECRET_NAME } = NAMES.notifications;

const cloudwatch = new CloudWatchClient({});
const sns = new SNSClient({});
const sqs = new SQSClient({});
const secrets = new SecretsManagerClient({});
const calls = new CallLog();
let stack: MotoStack;
let watchdog: EmulatorWatchdog;
const queues: Record<'all' | 'pages' | 'rollbacks', Queue> = {} as never;
let delivered: SnsEnvelope;

beforeAll(async () => {
  stack = await deployToMoto(emulatorTemplate('notifications'), 'emu-sns');
  queues.all = await subscribedQueue(sns, sqs, stack.topicArn, 'emu-sns-all');
  queues.pages = await subscribedQueue(sns, sqs, stack.topicArn, 'emu-sns-pages', { severity: ['high'] });
  queues.rollbacks = await subscribedQueue(sns, sqs, stack.topicArn, 'emu-sns-rollbacks', {
    kind: ['rollback-started', 'rollback-succeeded'],
  });
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'Payments',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  watchdog = emulatorWatchdog(stack, { configure: calls.configure });
});

afterAll(() => {
  watchdog.close();
  for (const client of [cloudwatch, sns, sqs, secrets]) client.destroy();
});

describe('SNS → SQS in moto', () => {
  it('delivers the escalation with its kind, target and severity attributes and the Chatbot body', async () => {
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: ALARM, StateValue: 'ALARM', StateReason: 'errors' }),
    );

    await watchdog.runtime.onAlarm(await alarmEventFromMoto(cloudwatch, ALARM), { awsRequestId: 'alarm-1' });

    expect(calls.count('codedeploy:GetDeploymentGroup')).toBe(1);
    expect(calls.count('sns:Publish')).toBe(1);
    const [message] = await receiveExactly(sqs, queues.all, 1);
    delivered = snsEnvelope(message);
    expect(delivered).toMatchObject({ Type: 'Notification', TopicArn: stack.topicArn });
    expect(delivered.MessageAttributes).toEqual({
      kind: { Type: 'String', Value: 'escalation' },
      target: { Type: 'String', Value: 'payments' },
      severity: { Type: 'String', Value: 'high' },
      notification: { Type: 'String', Value: expect.any(String) },
    });
    // The typed notification survives SNS unchanged: the Slack channel renders from it, never from text.
    const typed = JSON.parse(delivered.MessageAttributes?.['notification']?.Value ?? '');
    expect(typed).toMatchObject({
      formatVersion: 1,
      kind: 'escalation',
      severity: 'high',
      target: 'payments',
      title: 'Action needed on payments: target-invalid',
      nextSteps: expect.arrayContaining([
        expect.objectContaining({
          command: expect.stringContaining('npx rollback-watchdog status payments'),
        }),
      ]),
    });
    // The email subject: printable ASCII only, under SNS's 100 characters.
    expect(delivered.Subject).toBe('Action needed on payments: target-invalid');
    const body = JSON.parse(delivered.Message);
    expect(body).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        title: 'Action needed on payments: target-invalid',
        nextSteps: expect.arrayContaining([expect.stringContaining('npx rollback-watchdog status payments')]),
        keywords: expect.arrayContaining(['payments', 'escalation']),
      },
      metadata: {
        threadId: 'payments',
        additionalContext: expect.objectContaining({
          kind: 'escalation',
          target: 'payments',
          trigger: ALARM,
        }),
      },
    });
    expect(body.content.description).toContain(APPLICATION);
  });

  it('applies subscription filter policies to those attributes', async () => {
    const [page] = await receiveExactly(sqs, queues.pages, 1);
    expect(snsEnvelope(page).MessageId).toBe(delivered.MessageId);
    expect(await receiveExactly(sqs, queues.rollbacks, 0)).toEqual([]);
  });
});

describe('Slack notifier with its webhook in moto’s Secrets Manager', () => {
  let server: Server;
  const posts: { path: string; body: any }[] = [];

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        posts.push({ path: request.url ?? '', body: JSON.parse(text) });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('reads the URL under the ARN the template gives the notifier and posts the delivered message', async () => {
    const { port } = server.address() as AddressInfo;
    const webhookPath = '/services/T0000/B0000/emulator';
    await secrets.send(
      new CreateSecretCommand({
        Name: SECRET_NAME,
        SecretString: JSON.stringify({ url: `http://127.0.0.1:${port}${webhookPath}` }),
      }),
    );
    // The notifier's environment in the template: the secret's partial ARN (imported by name).
    const notifier = Object.values(stack.template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.[ENV.slackSecretArn],
    );
    const secretId = resolveIntrinsics(
      notifier?.Properties?.Environment.Variables[ENV.slackSecretArn],
    ) as string;
    expect(secretId).toBe(`arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_NAME}`);
    const { createSlackHandler } = await import('../../lambda/handlers/webhook-forwarder');
    const telemetry = new RecordingTelemetry();
    // allowInsecureForTests: the local server is http://127.0.0.1, not https://hooks.slack.com.
    const forward = createSlackHandler({
      secret: { client: createSecretsManagerClient(), secretId, allowInsecureForTests: true },
      telemetry,
    });

    // Lambda's SNS event around the envelope moto delivered (Lambda spells two URL fields differently).
    const { SigningCertURL, UnsubscribeURL, ...rest } = delivered;
    const result = await forward({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${stack.topicArn}:emulator`,
          Sns: { ...rest, SigningCertUrl: SigningCertURL, UnsubscribeUrl: UnsubscribeURL },
        },
      ],
    });

    expect(result).toMatchObject({ posted: 1 });
    expect(posts).toHaveLength(1);
    expect(posts[0].path).toBe(webhookPath);
    expect(JSON.stringify(posts[0].body)).toContain('Action needed on payments: target-invalid');
    expect(posts[0].body.blocks).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'header' })]),
    );
    // The URL is a secret: never in a log line.
    expect(JSON.stringify(telemetry.logs)).not.toContain(`${port}${webhookPath}`);
  });
});
