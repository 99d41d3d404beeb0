import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OperatorTransportError } from '../../../lambda/contract';
import { regionOfFunctionUrl, SignedOperatorClient } from '../../../lambda/adapters/operator-http-client';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local stand-in for the Function URL: records each request and answers with `reply`. */
let server: Server;
let baseUrl: string;
let received: Received[] = [];
let reply: (req: Received) => { status: number; body: string; delayMs?: number } = () => ({
  status: 200,
  body: '{"ok":true,"result":{}}',
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(got);
      const { status, body, delayMs } = reply(got);
      const send = () => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      if (delayMs) setTimeout(send, delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received = [];
});

function client(options: Partial<ConstructorParameters<typeof SignedOperatorClient>[0]> = {}) {
  return new SignedOperatorClient({
    url: baseUrl,
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    functionName: 'RollbackWatchdog-OperatorHandler',
    ...options,
  });
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

/** Recomputes the SigV4 signature of a received request from scratch (AWS's published algorithm). */
function expectedSignature(req: Received, region: string, service: string): string {
  const auth = String(req.headers.authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '';
  const amzDate = String(req.headers['x-amz-date']);
  const day = amzDate.slice(0, 8);
  const [path = '/', query = ''] = req.url.split('?');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${String(req.headers[name]).trim()}\n`)
    .join('');
  const canonicalRequest = [req.method, path, query, canonicalHeaders, signedHeaders, sha256(req.body)].join(
    '\n',
  );
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

async function failure(promise: Promise<unknown>): Promise<OperatorTransportError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperatorTransportError);
  return error as OperatorTransportError;
}

describe('SignedOperatorClient', () => {
  it('POSTs the request as JSON, signed with SigV4 for the lambda service, and returns the response', async () => {
    reply = () => ({
      status: 200,
      body: JSON.stringify({ ok: true, result: { done: true, message: 'paused' } }),
    });
    const request = { command: 'pause', target: 'checkout', reason: 'db migration' } as const;
    await expect(client().send(request)).resolves.toEqual({
      ok: true,
      result: { done: true, message: 'paused' },
    });

    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/');
    expect(JSON.parse(req.body)).toEqual(request);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-amz-security-token']).toBe('session-token');
    expect(req.headers['x-amz-content-sha256']).toBe(sha256(req.body));
    expect(req.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    const day = String(req.headers['x-amz-date']).slice(0, 8);
    expect(req.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${day}/eu-west-1/lambda/aws4_request, ` +
          'SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, ' +
          'Signature=[0-9a-f]{64}$',
      ),
    );
    const signature = /Signature=([0-9a-f]{64})/.exec(String(req.headers.authorization))?.[1];
    expect(signature).toBe(expectedSignature(req, 'eu-west-1', 'lambda'));
  });

  it('resolves a credentials provider for each request', async () => {
    const provider = jest.fn(async () => CREDENTIALS);
    await client({ credentials: provider }).send({ command: 'status' });
    expect(provider).toHaveBeenCalled();
    expect(received[0].headers.authorization).toContain('Credential=AKIDEXAMPLE/');
  });

  it("returns the operator function's own errors as responses, whatever their status", async () => {
    for (const [status, code] of [
      [409, 'refused'],
      [404, 'unknown-target'],
      [400, 'invalid-request'],
      [503, 'unavailable'],
    ] as const) {
      const body = { ok: false, error: { code, message: `${code}!` } };
      reply = () => ({ status, body: JSON.stringify(body) });
      await expect(client().send({ command: 'status' })).resolves.toEqual(body);
    }
  });

  it.each([
    [
      403,
      '{"Message":"Forbidden"}',
      'forbidden',
      'you are not allowed to call the operator function: needs lambda:InvokeFunctionUrl and lambda:InvokeFunction on RollbackWatchdog-OperatorHandler (AWS said: Forbidden)',
    ],
    [
      403,
      '{"message":"The request signature we calculated does not match the signature you provided."}',
      'no-credentials',
      /^AWS rejected the request's credentials: refresh them/,
    ],
    [
      403,
      '{"message":"The security token included in the request is expired"}',
      'no-credentials',
      /check the system clock/,
    ],
    [
      429,
      '{"Message":"Rate Exceeded."}',
      'throttled',
      'the operator function is throttled (HTTP 429); try again in a moment (AWS said: Rate Exceeded.)',
    ],
    [
      502,
      'Internal Server Error',
      'bad-response',
      'the operator function failed (HTTP 502: Internal Server Error); see the logs of RollbackWatchdog-OperatorHandler in CloudWatch',
    ],
    [
      404,
      '{"Message":null}',
      'not-a-watchdog-stack',
      /^no operator function answers at http:\/\/127\.0\.0\.1:\d+ \(HTTP 404\)/,
    ],
    [200, 'not json', 'bad-response', 'unexpected answer from the operator function (HTTP 200: not json)'],
    [200, '{"ok":"yes"}', 'bad-response', /^unexpected answer from the operator function \(HTTP 200/],
  ])('HTTP %i %s → %s', async (status, body, kind, message) => {
    reply = () => ({ status, body });
    const error = await failure(client().send({ command: 'status' }));
    expect(error.kind).toBe(kind);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it('says there are no credentials when the provider has none', async () => {
    const provider = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
    };
    const error = await failure(client({ credentials: provider }).send({ command: 'status' }));
    expect(error.kind).toBe('no-credentials');
    expect(error.message).toMatch(/^no AWS credentials found: set AWS_PROFILE or run `aws sso login`/);
    expect(received).toHaveLength(0);
  });

  it('gives up after the timeout, and when nothing listens', async () => {
    reply = () => ({ status: 200, body: '{"ok":true,"result":{}}', delayMs: 2_000 });
    const slow = await failure(client({ timeoutMs: 100 }).send({ command: 'status' }));
    expect(slow.kind).toBe('unreachable');
    expect(slow.message).toBe(
      `no answer from the operator function at ${baseUrl.replace(/\/$/, '')} within 0.1s: check your network ` +
        'connection (VPN, firewall); a command that changes something may have run anyway: check `watchdog history`',
    );

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await failure(client({ url: `http://127.0.0.1:${port}/` }).send({ command: 'status' }));
    expect(refused.kind).toBe('unreachable');
    expect(refused.message).toMatch(
      new RegExp(`^cannot reach the operator function at http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED`),
    );
  });

  it('only signs for TLS (or loopback) URLs, and needs a region', () => {
    expect(() => client({ url: 'http://abc.lambda-url.eu-west-1.on.aws/' })).toThrow(/is not https/);
    expect(() => client({ url: 'https://example.com/', region: undefined })).toThrow(
      /cannot tell the region .* pass --region/,
    );
    expect(
      client({ url: 'https://abc123.lambda-url.ap-southeast-2.on.aws/', region: undefined }).region,
    ).toBe('ap-southeast-2');
  });
});

describe('regionOfFunctionUrl', () => {
  it('reads the region from a Function URL host', () => {
    expect(regionOfFunctionUrl('https://abcdefghij0123456789.lambda-url.us-east-1.on.aws/')).toBe(
      'us-east-1',
    );
    expect(regionOfFunctionUrl('https://example.com/')).toBeUndefined();
    expect(regionOfFunctionUrl('not a url')).toBeUndefined();
  });
});
