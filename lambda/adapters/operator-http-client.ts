import * as http from 'node:http';
import * as https from 'node:https';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import {
  OperatorTransportError,
  type OperatorClient,
  type OperatorRequest,
  type OperatorResponse,
} from '../contract';
import { isRecord } from '../boundary/json-path';
import { describeError } from './aws-errors';
import { CLI_NETWORK, type CliNetwork } from './cli-network';
import { NETWORK_HINT } from './stack-outputs';

/** Lambda Function URLs are signed for the `lambda` service. */
export const FUNCTION_URL_SIGNING_SERVICE = 'lambda';
/** Pause before connection attempt n + 1: 100 ms × 2^n, as the SDK's standard retry. */
const RECONNECT_BASE_DELAY_MS = 100;
/** Responses are small JSON documents; anything larger is not the operator function talking. */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The region in a Function URL's host name (`<id>.lambda-url.<region>.on.aws`), if it is one. */
export function regionOfFunctionUrl(url: string): string | undefined {
  try {
    return FUNCTION_URL_HOST.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}

export interface SignedOperatorClientOptions {
  /** The Function URL (`https://<id>.lambda-url.<region>.on.aws/`). Plain http only to a loopback address (tests). */
  readonly url: string;
  /** The signing region. @default - the region in the Function URL's host name */
  readonly region?: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Named in the permission hint of a 403. @default - the URL */
  readonly functionName?: string;
  /** Connection timeout and attempts, and the whole call's deadline (`operatorTimeoutMs`). @default CLI_NETWORK */
  readonly network?: CliNetwork;
  /** Overrides `network.operatorTimeoutMs`. */
  readonly timeoutMs?: number;
}

function isOperatorResponse(value: unknown): value is OperatorResponse {
  if (!isRecord(value)) return false;
  if (value.ok === true) return 'result' in value;
  return (
    value.ok === false &&
    isRecord(value.error) &&
    typeof value.error.code === 'string' &&
    typeof value.error.message === 'string'
  );
}

/** The `message` (or `Message`) AWS puts in the body of an error it answers itself, such as an IAM denial. */
function awsMessage(body: string): string {
  try {
    const json: unknown = JSON.parse(body);
    if (isRecord(json)) {
      const message = json.message ?? json.Message;
      if (typeof message === 'string') return message;
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const text = body.trim();
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * The operator protocol over a Lambda Function URL with AWS_IAM auth: each request is a JSON POST signed with
 * SigV4 for the `lambda` service, so IAM decides who may call and the function sees the signer's ARN.
 */
export class SignedOperatorClient implements OperatorClient {
  readonly url: URL;
  readonly region: string;
  private readonly signer: SignatureV4;
  private readonly functionName: string;
  private readonly timeoutMs: number;
  private readonly network: CliNetwork;

  constructor(options: SignedOperatorClientOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'https:' && !(this.url.protocol === 'http:' && LOOPBACK.has(this.url.hostname)))
      throw new OperatorTransportError(
        'not-a-watchdog-stack',
        `the operator URL ${options.url} is not https; signed requests are only sent over TLS`,
      );
    const region = options.region ?? regionOfFunctionUrl(options.url);
    if (region === undefined)
      throw new OperatorTransportError(
        'no-region',
        `cannot tell the region of the operator URL ${options.url}: pass --region`,
      );
    this.region = region;
    this.functionName = options.functionName ?? options.url;
    this.network = options.network ?? CLI_NETWORK;
    this.timeoutMs = options.timeoutMs ?? this.network.operatorTimeoutMs;
    this.signer = new SignatureV4({
      service: FUNCTION_URL_SIGNING_SERVICE,
      region,
      credentials: options.credentials,
      sha256: Sha256,
    });
  }

  async send(request: OperatorRequest): Promise<OperatorResponse> {
    const body = JSON.stringify(request);
    const { url } = this;
    const unsigned = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        host: url.host,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    };
    let signed: { headers: Record<string, string> };
    try {
      signed = await this.signer.sign(unsigned);
    } catch (error) {
      throw new OperatorTransportError(
        'no-credentials',
        `no AWS credentials found: set AWS_PROFILE or run \`aws sso login\` (or pass --profile) (${describeError(error)})`,
        { cause: error },
      );
    }
    const response = await this.post(body, signed.headers);
    return this.interpret(response);
  }

  /**
   * POSTs once the connection is made, within one deadline for the whole call. A connection that cannot be made
   * (refused, unreachable, or not made within the connection timeout) is tried again, up to
   * `network.maxAttempts` times: nothing was sent. Once connected, the request is never repeated.
   */
  private async post(body: string, headers: Record<string, string>): Promise<RawResponse> {
    const deadline = Date.now() + this.timeoutMs;
    const { connectionTimeoutMs, maxAttempts } = this.network;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(body, headers, deadline, connectionTimeoutMs);
      if (outcome.ok) return outcome.response;
      const pause = RECONNECT_BASE_DELAY_MS * 2 ** attempt;
      if (outcome.connected || attempt >= maxAttempts || Date.now() + pause >= deadline) {
        if (outcome.error instanceof OperatorTransportError) throw outcome.error;
        throw new OperatorTransportError(
          'unreachable',
          `cannot reach the operator function at ${this.url.origin} (${describeError(outcome.error)}` +
            `${attempt > 1 ? `, ${attempt} attempts` : ''}): ${NETWORK_HINT}`,
          { cause: outcome.error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** One connection and request; says whether the connection was made, which decides whether to try again. */
  private attempt(
    body: string,
    headers: Record<string, string>,
    deadline: number,
    connectionTimeoutMs: number,
  ): Promise<{ ok: true; response: RawResponse } | { ok: false; connected: boolean; error: unknown }> {
    const { url } = this;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let connected = false;
      const timers: NodeJS.Timeout[] = [];
      const settle = (
        outcome: { ok: true; response: RawResponse } | { ok: false; connected: boolean; error: unknown },
      ) => {
        timers.forEach(clearTimeout);
        resolve(outcome);
      };
      const req = transport.request(url, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(
              new OperatorTransportError(
                'bad-response',
                `the operator function's answer exceeds ${MAX_RESPONSE_BYTES} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          settle({
            ok: true,
            response: { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') },
          }),
        );
        res.on('error', (error) => settle({ ok: false, connected: true, error }));
      });
      req.on('socket', (socket) => {
        const onConnect = () => {
          connected = true;
        };
        if (socket.connecting) socket.once('connect', onConnect);
        else onConnect();
      });
      const remaining = Math.max(0, deadline - Date.now());
      timers.push(
        setTimeout(
          () => {
            if (!connected)
              req.destroy(
                Object.assign(new Error(`no connection within ${connectionTimeoutMs / 1000}s`), {
                  name: 'TimeoutError',
                }),
              );
          },
          Math.min(connectionTimeoutMs, remaining),
        ),
        setTimeout(
          () =>
            req.destroy(
              new OperatorTransportError(
                'unreachable',
                `no answer from the operator function at ${url.origin} within ${this.timeoutMs / 1000}s: ` +
                  `${NETWORK_HINT}; a command that changes something may have run anyway: check \`watchdog history\``,
              ),
            ),
          remaining,
        ),
      );
      req.on('error', (error) => settle({ ok: false, connected, error }));
      req.end(body);
    });
  }

  private interpret({ status, body }: RawResponse): OperatorResponse {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    // The operator function's own answers (200, and 4xx/5xx with an error code) are for the command to read.
    if (isOperatorResponse(json)) return json;
    const said = awsMessage(body);
    if (status === 403) {
      if (/signature|security token|expired|credential/i.test(said))
        throw new OperatorTransportError(
          'no-credentials',
          `AWS rejected the request's credentials: refresh them (\`aws sso login\`) and check the system clock (AWS said: ${said})`,
        );
      throw new OperatorTransportError(
        'forbidden',
        `you are not allowed to call the operator function: needs lambda:InvokeFunctionUrl and lambda:InvokeFunction on ${this.functionName} (AWS said: ${said || 'Forbidden'})`,
      );
    }
    if (status === 429)
      throw new OperatorTransportError(
        'throttled',
        `the operator function is throttled (HTTP 429); try again in a moment (AWS said: ${said})`,
      );
    if (status === 404)
      throw new OperatorTransportError(
        'not-a-watchdog-stack',
        `no operator function answers at ${this.url.origin} (HTTP 404): the stack's output is stale; redeploy it with \`npx cdk deploy\``,
      );
    if (status >= 500)
      throw new OperatorTransportError(
        'bad-response',
        `the operator function failed (HTTP ${status}${said ? `: ${said}` : ''}); see the logs of ${this.functionName} in CloudWatch`,
      );
    throw new OperatorTransportError(
      'bad-response',
      `unexpected answer from the operator function (HTTP ${status}${said ? `: ${said}` : ''})`,
    );
  }
}
