import {
  isReadCommand,
  LIMITS,
  OPERATOR_READ_COMMANDS,
  STACK_OUTPUT,
  type OperatorError,
  type OperatorResponse,
} from '../contract';
import { isRecord } from '../boundary/json-path';
import type { InvocationContext } from './runtime';

/** What the operator handler needs from the runtime: the operator use cases behind one entry point. */
export interface OperatorRuntime {
  /**
   * Validates `request` (an untrusted JSON body) and runs it on behalf of `principal`, the IAM-authenticated
   * caller. Bad input is an `invalid-request` response, not an exception.
   */
  onOperator(request: unknown, principal: string, context: InvocationContext): Promise<OperatorResponse>;
}

/** The Function URL's answer (payload format 2.0). */
export interface OperatorHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** HTTP status for each operator error code; the CLI reads the JSON body, the status serves logs and proxies. */
export const OPERATOR_ERROR_STATUS: Readonly<Record<OperatorError['code'], number>> = {
  'invalid-request': 400,
  'unknown-target': 404,
  'not-found': 404,
  refused: 409,
  unavailable: 503,
};

/**
 * The caller as the Function URL's AWS_IAM auth established it (`requestContext.authorizer.iam`): the user or
 * role-session ARN, else the caller id. Never read from the body: a self-reported name proves nothing.
 */
export function authenticatedPrincipal(event: unknown): string | undefined {
  const requestContext = isRecord(event) ? event.requestContext : undefined;
  const authorizer = isRecord(requestContext) ? requestContext.authorizer : undefined;
  const iam = isRecord(authorizer) ? authorizer.iam : undefined;
  if (!isRecord(iam)) return undefined;
  for (const key of ['userArn', 'arn', 'callerId']) {
    const value = iam[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return undefined;
}

function respond(statusCode: number, response: OperatorResponse, extraHeaders = {}): OperatorHttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...extraHeaders },
    body: JSON.stringify(response),
  };
}

function failure(
  statusCode: number,
  code: OperatorError['code'],
  message: string,
  extraHeaders = {},
): OperatorHttpResponse {
  return respond(statusCode, { ok: false, error: { code, message } }, extraHeaders);
}

/** How one operator function serves its URL. */
export interface OperatorHandlerOptions {
  /**
   * The read-only operator function: it answers OPERATOR_READ_COMMANDS and refuses every other command before
   * any work. Its role cannot write anyway (the construct grants it reads only); this says so plainly instead of
   * an AccessDenied half way through.
   * @default false
   */
  readonly readOnly?: boolean;
}

/** The refusal of a changing command on the read-only URL, naming the URL it belongs on. */
export function readOnlyRefusal(command: string): string {
  return (
    `${command} changes the watchdog, and this is the read-only operator URL (${STACK_OUTPUT.operatorReadUrl}), ` +
    `which serves ${OPERATOR_READ_COMMANDS.slice(0, -1).join(', ')} and ${OPERATOR_READ_COMMANDS.at(-1)} only: send it to the operator URL ` +
    `(${STACK_OUTPUT.operatorUrl}), which needs lambda:InvokeFunctionUrl on the operator function`
  );
}

/**
 * The operator function behind a Lambda Function URL with AWS_IAM auth: only `POST` with a JSON body,
 * only with an authenticated IAM caller. It parses HTTP and delegates; the runtime validates the request.
 */
export function createOperatorHandler(
  runtime: OperatorRuntime,
  options: OperatorHandlerOptions = {},
): (event: unknown, context: InvocationContext) => Promise<OperatorHttpResponse> {
  return async (event, context) => {
    const requestContext = isRecord(event) ? event.requestContext : undefined;
    const http = isRecord(requestContext) ? requestContext.http : undefined;
    const method = isRecord(http) ? http.method : undefined;
    if (method !== 'POST') {
      return failure(
        405,
        'invalid-request',
        `method ${typeof method === 'string' ? method : '(none)'} is not allowed; send a POST with a JSON operator request`,
        { allow: 'POST' },
      );
    }
    const principal = authenticatedPrincipal(event);
    if (principal === undefined) {
      return failure(
        403,
        'refused',
        'no IAM caller: the operator function only serves SigV4-signed requests through its AWS_IAM Function URL',
      );
    }
    const raw = isRecord(event) ? event.body : undefined;
    if (typeof raw !== 'string' || raw.length === 0) {
      return failure(400, 'invalid-request', 'the body is empty; send a JSON operator request');
    }
    const text =
      isRecord(event) && event.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    if (Buffer.byteLength(text, 'utf8') > LIMITS.operatorBodyMax) {
      return failure(
        400,
        'invalid-request',
        `the body is ${Buffer.byteLength(text, 'utf8')} bytes; an operator request is at most ${LIMITS.operatorBodyMax} bytes of JSON`,
      );
    }
    let request: unknown;
    try {
      request = JSON.parse(text);
    } catch (error) {
      return failure(400, 'invalid-request', `the body is not valid JSON (${(error as Error).message})`);
    }
    const command = isRecord(request) ? request.command : undefined;
    if (options.readOnly === true && typeof command === 'string' && !isReadCommand(command)) {
      return failure(403, 'refused', readOnlyRefusal(command));
    }

    let response: OperatorResponse;
    try {
      response = await runtime.onOperator(request, principal, context);
    } catch (error) {
      // Lambda would answer a bare 502; the CLI gets the request id to look the failure up in the logs.
      console.error('operator request failed', { requestId: context.awsRequestId, error });
      return failure(
        500,
        'unavailable',
        `the operator function failed unexpectedly; see its logs for request id ${context.awsRequestId}`,
      );
    }
    return respond(response.ok ? 200 : (OPERATOR_ERROR_STATUS[response.error.code] ?? 500), response);
  };
}
