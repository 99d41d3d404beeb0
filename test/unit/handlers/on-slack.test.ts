import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV, type MetricName } from '../../../lambda/contract';
import { PowertoolsTelemetry } from '../../../lambda/adapters/powertools-telemetry';
import type { LogLevel, Telemetry } from '../../../lambda/use-cases/ports';
import { DEAD_LETTER_ALARM, snsFixture } from '../../support/sns-fixtures';

/**
 * RELIABILITY #22 (docs/reliability.md, "Secrets"): the Slack webhook URL appears in no log line, whatever
 * happens. The whole path runs for real (SNS event → parse → format → Secrets Manager (mocked SDK) → HTTP to
 * a local stand-in for the webhook) with Powertools writing to a captured stdout/stderr.
 */

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:watchdog/slack-AbCdEf';
const TOKEN = 's3cr3tT0k3nXyZ';
const SECRET_PATH = `/services/T0000/B0000/${TOKEN}`;

process.env[ENV.slackSecretArn] = ARN;
// The deployed forwarder (on-webhook.ts) renders for the channel its environment names, as the construct sets it.
process.env[ENV.webhookChannel] = 'slack';

type Reply = { status: number; body?: string } | 'hang' | 'echo';

const notification = JSON.stringify({
  version: '1.0',
  source: 'custom',
  content: {
    title: 'Rolling back checkout: checkout:42 → checkout:41',
    description: 'What fired: checkout-5xx went to ALARM.\nWhat to do next: npx watchdog status checkout',
    nextSteps: ['Watch the rollback: npx watchdog status checkout'],
    keywords: ['checkout', 'rollback-started'],
  },
  metadata: {
    threadId: 'checkout',
    additionalContext: { kind: 'rollback-started', target: 'checkout', decisionId: 'dec-1' },
  },
});

const snsEvent = (message = notification) => ({
  Records: [
    {
      EventSource: 'aws:sns',
      Sns: {
        MessageId: 'msg-1',
        Message: message,
        MessageAttributes: {
          kind: { Type: 'String', Value: 'rollback-started' },
          target: { Type: 'String', Value: 'checkout' },
          severity: { Type: 'String', Value: 'warning' },
        },
      },
    },
  ],
});

/** Powertools telemetry that also records every call the code makes to it. */
class TeeTelemetry implements Telemetry {
  readonly calls: unknown[] = [];
  private readonly inner = new PowertoolsTelemetry();
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.calls.push(['log', level, message, fields]);
    this.inner.log(level, message, fields);
  }
  count(metric: MetricName, value?: number, dimensions?: Record<string, string>): void {
    this.calls.push(['count', metric, value, dimensions]);
    this.inner.count(metric, value, dimensions);
  }
  flush(): void {
    this.inner.flush();
  }
}

describe('RELIABILITY #22: on-slack handler: the webhook URL is never logged', () => {
  const sm = mockClient(SecretsManagerClient);
  let server: Server;
  let url: string;
  const replies: Reply[] = [];
  const stalled: ServerResponse[] = [];
  let requests = 0;
  const bodies: string[] = [];
  let output: string[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests++;
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        const reply = replies.shift() ?? { status: 200, body: 'ok' };
        if (reply === 'hang') stalled.push(res);
        else if (reply === 'echo') res.writeHead(400).end(`invalid_token for ${req.url ?? ''}`);
        else res.writeHead(reply.status).end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  });

  beforeEach(() => {
    sm.reset();
    requests = 0;
    bodies.length = 0;
    replies.length = 0;
    output = [];
    const capture = (chunk: unknown) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    for (const res of stalled.splice(0)) res.destroy();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The handler as the module wires it, but allowed to call the local stand-in, with short timeouts. */
  async function localHandler(telemetry: Telemetry) {
    const { createSlackHandler } = await import('../../../lambda/handlers/webhook-forwarder');
    return createSlackHandler({
      secret: {
        client: new SecretsManagerClient({ region: 'us-east-1' }),
        secretId: ARN,
        allowInsecureForTests: true,
      },
      telemetry,
      webhook: { timeoutMs: 200, backoffMs: 5 },
    });
  }

  async function run(invoke: () => Promise<unknown>): Promise<unknown> {
    return invoke().then(
      () => undefined,
      (e: unknown) => e,
    );
  }

  function expectUrlAbsent(telemetry: TeeTelemetry | undefined, error: unknown) {
    const thrown =
      error instanceof Error
        ? [
            error.message,
            error.stack ?? '',
            JSON.stringify(error),
            error.cause instanceof Error ? error.cause.message : '',
          ]
        : [];
    const everything = [...output, JSON.stringify(telemetry?.calls ?? []), ...thrown].join('\n');
    expect(everything).not.toContain(url);
    expect(everything).not.toContain(SECRET_PATH);
    expect(everything).not.toContain(TOKEN);
  }

  it('success: logs the post, not the URL', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: url });
    const telemetry = new TeeTelemetry();
    const handler = await localHandler(telemetry);

    // Act
    const error = await run(() => handler(snsEvent()));

    // Assess
    expect(error).toBeUndefined();
    expect(requests).toBe(1);
    expect(output.join('')).toContain('posted to Slack');
    expectUrlAbsent(telemetry, error);
  });

  it('500 three times: bounded retries, the invocation fails, no URL anywhere', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ url }) });
    replies.push({ status: 500 }, { status: 500 }, { status: 500 });
    const telemetry = new TeeTelemetry();
    const handler = await localHandler(telemetry);

    // Act
    const error = await run(() => handler(snsEvent()));

    // Assess
    expect(error).toMatchObject({ name: 'SlackDeliveryError' });
    expect(requests).toBe(3);
    expect(output.join('')).toContain('Slack post failed');
    expect(output.join('')).toContain('HTTP 500');
    expectUrlAbsent(telemetry, error);
  });

  it('timeout: no URL anywhere', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: url });
    replies.push('hang', 'hang', 'hang');
    const telemetry = new TeeTelemetry();
    const handler = await localHandler(telemetry);

    // Act
    const error = await run(() => handler(snsEvent()));

    // Assess
    expect(error).toMatchObject({ name: 'SlackDeliveryError' });
    expect(requests).toBe(3);
    expect(output.join('')).toContain('no response within 200 ms');
    expectUrlAbsent(telemetry, error);
  });

  it('a response that echoes the URL: redacted before it is logged', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: url });
    replies.push('echo');
    const telemetry = new TeeTelemetry();
    const handler = await localHandler(telemetry);

    // Act
    const error = await run(() => handler(snsEvent()));

    // Assess
    expect(error).toMatchObject({ name: 'SlackDeliveryError' });
    expect(output.join('')).toContain('[redacted]');
    expectUrlAbsent(telemetry, error);
  });

  const encodings: ReadonlyArray<readonly [string, (u: string) => string]> = [
    ['the token alone', () => `invalid_token: ${TOKEN}`],
    ['the URL JSON-escaped', (u) => JSON.stringify({ error: 'no_service', url: u }).replace(/\//g, '\\/')],
    ['the URL percent-encoded', (u) => `bad request for ${encodeURIComponent(u)}`],
    [
      'every byte of the token percent-encoded',
      () => `token=${[...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`,
    ],
    ['the token split by a newline', () => `invalid_token ${TOKEN.slice(0, 6)}\n${TOKEN.slice(6)}`],
    [
      'the token split by an escaped newline',
      () => `"invalid_token ${TOKEN.slice(0, 6)}\\n${TOKEN.slice(6)}"`,
    ],
    ['the path in a sentence', () => `POST ${SECRET_PATH} refused`],
  ];
  const statuses = [400, 403, 404, 410, 429, 500, 503];

  it.each(statuses.flatMap((status) => encodings.map(([name, body]) => [status, name, body] as const)))(
    'HTTP %i echoing %s: no part of the secret in any log line or the error',
    async (status, _name, body) => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: url });
      for (let i = 0; i < 3; i++) replies.push({ status, body: body(url) });
      const telemetry = new TeeTelemetry();
      const handler = await localHandler(telemetry);

      // Act
      const error = await run(() => handler(snsEvent()));

      // Assess
      expect(error).toMatchObject({ name: 'SlackDeliveryError' });
      expectUrlAbsent(telemetry, error);
      const everything = [...output, JSON.stringify(telemetry.calls), (error as Error).message].join('\n');
      for (const part of ['T0000', 'B0000', TOKEN, encodeURIComponent(url)])
        expect(everything).not.toContain(part);
      // The token split over two lines leaves neither half joined in the output.
      expect(everything.replace(/\\n|\s/g, '')).not.toContain(TOKEN);
    },
  );

  it('secret missing: the invocation fails without a request', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: {},
      }),
    );
    const telemetry = new TeeTelemetry();
    const handler = await localHandler(telemetry);

    // Act
    const error = await run(() => handler(snsEvent()));

    // Assess
    expect(error).toMatchObject({ name: 'SlackDeliveryError' });
    expect(requests).toBe(0);
    expect(output.join('')).toContain('ResourceNotFoundException');
    expectUrlAbsent(telemetry, error);
  });

  it('a health alarm notification from CloudWatch is posted as a Block Kit message, without the URL in any log', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: url });
    const telemetry = new TeeTelemetry();
    const handler = await localHandler(telemetry);

    // Act
    const error = await run(() => handler(snsFixture('dead-letter-alarm')));

    // Assess
    expect(error).toBeUndefined();
    expect(requests).toBe(1);
    const posted = JSON.parse(bodies[0] ?? '{}');
    expect(posted.text).toBe(`:rotating_light: Watchdog health: ${DEAD_LETTER_ALARM} is ALARM`);
    expect(posted.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: posted.text, emoji: true },
    });
    expect(output.join('')).toContain('posted to Slack');
    expect(output.join('')).toContain('cloudwatch-alarm');
    expectUrlAbsent(telemetry, error);
  });

  it('a malformed message is logged without posting, and does not fail the invocation', async () => {
    // Prepare
    sm.on(GetSecretValueCommand).resolves({ SecretString: url });
    const telemetry = new TeeTelemetry();
    const handler = await localHandler(telemetry);

    // Act
    const error = await run(() => handler(snsEvent('not json')));

    // Assess
    expect(error).toBeUndefined();
    expect(requests).toBe(0);
    expect(output.join('')).toContain('SNS message rejected');
    expectUrlAbsent(telemetry, error);
  });

  it.each([
    ['a non-Slack https URL', () => `https://example.invalid${SECRET_PATH}`],
    ['the local http URL', () => url],
  ])(
    'the deployed handler refuses %s from the secret, without a request and without logging it',
    async (_label, secret) => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: secret() });
      const { handler } = await import('../../../lambda/handlers/on-webhook');

      // Act
      const error = await run(() => handler(snsEvent()));

      // Assess
      expect(error).toMatchObject({ name: 'SlackDeliveryError' });
      expect(requests).toBe(0);
      expect(output.join('')).toContain('does not hold a Slack incoming-webhook URL');
      expect(output.join('')).not.toContain('example.invalid');
      expectUrlAbsent(undefined, error);
    },
  );
});
