import * as http from 'node:http';
import * as https from 'node:https';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { OperatorRequest, OperatorResponse } from '../contract';
import { isRecord } from '../boundary/json-path';
import { OperatorTransportError, type OperatorClient } from '../cli/operator-client';
import { describeError } from './aws-errors';

/** Lambda Function URLs are signed for the `lambda` service. */
export const FUNCTION_URL_SIGNING_SERVICE = 'lambda';
/** Long enough for a rollback request (claim, ECS or CodeDeploy call, audit, notification), short enough to notice a hang. */
export const OPERATOR_REQUEST_TIMEOUT_MS = 60_000;
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
  /** @default OPERATOR_REQUEST_TIMEOUT_MS */
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
    this.timeoutMs = options.timeoutMs ?? OPERATOR_REQUEST_TIMEOUT_MS;
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

  private post(body: string, headers: Record<string, string>): Promise<RawResponse> {
    const { url } = this;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
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
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(
          new OperatorTransportError(
            'unreachable',
            `no answer from the operator function within ${this.timeoutMs / 1000}s (${url.origin}); it may still be working: check \`watchdog history\``,
          ),
        ),
      );
      req.on('error', (error) =>
        reject(
          error instanceof OperatorTransportError
            ? error
            : new OperatorTransportError(
                'unreachable',
                `cannot reach the operator function at ${url.origin} (${describeError(error)})`,
                { cause: error },
              ),
        ),
      );
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
