import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  parseRetryAfter,
  SlackWebhookError,
  SlackWebhookNotifier,
  type SlackWebhookNotifierOptions,
} from '../../../lambda/adapters/slack-webhook';
import type { SlackMessage } from '../../../lambda/use-cases/ports';

/** What the stand-in webhook does with one request. */
type Reply =
  | { status: number; body?: string; headers?: Record<string, string> }
  | 'hang'
  | 'hang-after-headers'
  | 'echo-path-400';

const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0k3n';
const message: SlackMessage = {
  text: ':warning: Rolling back checkout',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Body' } }],
};

describe('SlackWebhookNotifier against a local webhook', () => {
  let server: Server;
  let url: string;
  const replies: Reply[] = [];
  const received: { method?: string; path?: string; contentType?: string; body: string }[] = [];
  const stalled: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method, path: req.url, contentType: req.headers['content-type'], body });
        const reply = replies.shift() ?? { status: 200, body: 'ok' };
        if (reply === 'hang') {
          stalled.push(res);
        } else if (reply === 'hang-after-headers') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('o');
          stalled.push(res);
        } else if (reply === 'echo-path-400') {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(`invalid_payload for http://127.0.0.1${req.url ?? ''} (${req.url ?? ''})`);
        } else {
          res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
          res.end(reply.body ?? '');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SECRET_PATH}`;
  });

  afterEach(() => {
    for (const res of stalled.splice(0)) res.destroy();
    replies.length = 0;
    received.length = 0;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function notifier(overrides: Partial<SlackWebhookNotifierOptions> = {}) {
    const sleeps: number[] = [];
    const forget = jest.fn();
    const logs: unknown[] = [];
    const slack = new SlackWebhookNotifier({
      webhookUrl: { read: async () => url, forget },
      timeoutMs: 300,
      backoffMs: 10,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      telemetry: { log: (...args: unknown[]) => logs.push(args) },
      ...overrides,
    });
    return { slack, sleeps, forget, logs };
  }

  async function failure(promise: Promise<unknown>): Promise<SlackWebhookError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SlackWebhookError);
    return error as SlackWebhookError;
  }

  /** Neither the URL nor its secret path may appear in an error or a log line. */
  function expectNoUrl(...values: unknown[]) {
    for (const value of values) {
      const text =
        value instanceof Error
          ? `${value.message} ${value.stack ?? ''} ${JSON.stringify(value)} ${String(value.cause)}`
          : JSON.stringify(value);
      expect(text).not.toContain(SECRET_PATH);
      expect(text).not.toContain('s3cr3tT0k3n');
    }
  }

  it('posts the Block Kit message as JSON once when Slack answers 200', async () => {
    // Prepare
    replies.push({ status: 200, body: 'ok' });
    const { slack, sleeps } = notifier();

    // Act
    await slack.post(message);

    // Assess
    expect(received).toEqual([
      {
        method: 'POST',
        path: SECRET_PATH,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify(message),
      },
    ]);
    expect(sleeps).toEqual([]);
  });

  it('retries a 500 after a backoff and succeeds', async () => {
    // Prepare
    replies.push({ status: 500, body: 'rollup_error' }, { status: 200, body: 'ok' });
    const { slack, sleeps, logs } = notifier();

    // Act
    await slack.post(message);

    // Assess
    expect(received).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(10);
    expect(sleeps[0]).toBeLessThanOrEqual(12);
    expect(logs).toEqual([
      [
        'warn',
        'Slack webhook attempt failed',
        { attempt: 1, status: 500, problem: 'HTTP 500 (rollup_error)' },
      ],
    ]);
  });

  it('gives up after three 500s, with growing backoff, and says so without the URL', async () => {
    // Prepare
    replies.push({ status: 500 }, { status: 500 }, { status: 503, body: 'service_unavailable' });
    const { slack, sleeps, logs } = notifier();

    // Act
    const error = await failure(slack.post(message));

    // Assess
    expect(received).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThan(sleeps[0]);
    expect(error.message).toBe(
      'Slack webhook post failed after 3 attempt(s): HTTP 503 (service_unavailable)',
    );
    expect(error).toMatchObject({ status: 503, attempts: 3, retryable: true });
    expectNoUrl(error, logs);
  });

  it('times out a response that never comes, and bounds the attempts', async () => {
    // Prepare
    replies.push('hang', 'hang');
    const { slack, logs } = notifier({ timeoutMs: 200, maxAttempts: 2 });
    const started = Date.now();

    // Act
    const error = await failure(slack.post(message));

    // Assess
    const elapsed = Date.now() - started;
    expect(received).toHaveLength(2);
    expect(error.message).toBe('Slack webhook post failed after 2 attempt(s): no response within 200 ms');
    expect(error).toMatchObject({ status: undefined, attempts: 2, retryable: true });
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(2_000);
    expectNoUrl(error, logs);
  });

  it('times out a response whose body stalls after the headers', async () => {
    // Prepare
    replies.push('hang-after-headers', { status: 200, body: 'ok' });
    const { slack } = notifier({ timeoutMs: 200 });

    // Act
    await slack.post(message);

    // Assess
    expect(received).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    // Prepare
    replies.push({ status: 400, body: 'invalid_blocks' });
    const { slack, sleeps, forget } = notifier();

    // Act
    const error = await failure(slack.post(message));

    // Assess
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error.message).toBe('Slack webhook post failed after 1 attempt(s): HTTP 400 (invalid_blocks)');
    expect(error).toMatchObject({ status: 400, attempts: 1, retryable: false });
    expect(forget).not.toHaveBeenCalled();
  });

  it('forgets the cached URL when Slack says the webhook is gone (404)', async () => {
    // Prepare
    replies.push({ status: 404, body: 'no_service' });
    const { slack, forget } = notifier();

    // Act
    await failure(slack.post(message));

    // Assess
    expect(received).toHaveLength(1);
    expect(forget).toHaveBeenCalledTimes(1);
  });

  it('removes the URL from a response that echoes it', async () => {
    // Prepare
    replies.push('echo-path-400');
    const { slack, logs } = notifier();

    // Act
    const error = await failure(slack.post(message));

    // Assess
    expect(error.message).toContain('[redacted]');
    expectNoUrl(error, logs);
  });

  it('honours Retry-After on a 429', async () => {
    // Prepare
    replies.push({ status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } }, { status: 200 });
    const { slack, sleeps } = notifier();

    // Act
    await slack.post(message);

    // Assess
    expect(received).toHaveLength(2);
    expect(sleeps).toEqual([2_000]);
  });

  it('stops at once when Retry-After is longer than the cap (Lambda retries later)', async () => {
    // Prepare
    replies.push({ status: 429, headers: { 'retry-after': '120' } });
    const { slack, sleeps } = notifier();

    // Act
    const error = await failure(slack.post(message));

    // Assess
    expect(received).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(error.message).toBe(
      'Slack webhook post failed after 1 attempt(s): HTTP 429 (Retry-After 120 s is longer than this function waits)',
    );
    expect(error.retryable).toBe(true);
  });

  it('retries a refused connection and reports only the error code', async () => {
    // Prepare: a port that was just free, so nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { slack, sleeps, logs } = notifier({
      webhookUrl: { read: async () => `http://127.0.0.1:${port}${SECRET_PATH}` },
    });

    // Act
    const error = await failure(slack.post(message));

    // Assess
    expect(sleeps).toHaveLength(2);
    expect(error.message).toBe('Slack webhook post failed after 3 attempt(s): network error (ECONNREFUSED)');
    expectNoUrl(error, logs);
  });

  it('lets an unreadable secret fail the post without a request', async () => {
    // Prepare
    const { slack } = notifier({
      webhookUrl: {
        read: async () => {
          throw new Error('cannot read secret arn:aws:secretsmanager:us-east-1:123456789012:secret:slack');
        },
      },
    });

    // Act & Assess
    await expect(slack.post(message)).rejects.toThrow('cannot read secret');
    expect(received).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');

  it.each([
    ['3', 3_000],
    [' 0 ', 0],
    ['Sun, 01 Mar 2026 10:00:07 GMT', 7_000],
    ['Sun, 01 Mar 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%p -> %p ms', (value, ms) => {
    // Act & Assess
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});
