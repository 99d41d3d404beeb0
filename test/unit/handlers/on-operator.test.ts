import type { OperatorResponse } from '../../../lambda/contract';
import { parseOperatorRequest } from '../../../lambda/boundary/operator-request';
import {
  authenticatedPrincipal,
  createOperatorHandler,
  readOnlyRefusal,
  type OperatorRuntime,
} from '../../../lambda/handlers/operator-http';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';
const context = { awsRequestId: 'req-1' };

/** A Function URL event (payload 2.0) as Lambda delivers it with AWS_IAM auth. */
function urlEvent(
  overrides: Record<string, unknown> = {},
  iam: Record<string, unknown> | null = { userArn: ALICE },
) {
  return {
    version: '2.0',
    rawPath: '/',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '123456789012',
      requestId: 'url-req-1',
      http: {
        method: 'POST',
        path: '/',
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'watchdog',
      },
      ...(iam
        ? {
            authorizer: {
              iam: {
                accessKey: 'ASIAEXAMPLE',
                accountId: '123456789012',
                callerId: 'AROAEXAMPLE:alice',
                ...iam,
              },
            },
          }
        : {}),
    },
    body: JSON.stringify({ command: 'status' }),
    isBase64Encoded: false,
    ...overrides,
  };
}

function fakeRuntime(response: OperatorResponse = { ok: true, result: { targets: [] } }) {
  const onOperator = jest.fn<
    ReturnType<OperatorRuntime['onOperator']>,
    Parameters<OperatorRuntime['onOperator']>
  >(async () => response);
  return { runtime: { onOperator }, onOperator };
}

describe('operator handler', () => {
  it('passes the JSON body and the IAM principal to the runtime and answers 200 with its response', async () => {
    const { runtime, onOperator } = fakeRuntime({
      ok: true,
      result: { done: true, message: 'paused checkout' },
    });
    const response = await createOperatorHandler(runtime)(
      urlEvent({ body: JSON.stringify({ command: 'pause', target: 'checkout', reason: 'db migration' }) }),
      context,
    );
    expect(onOperator).toHaveBeenCalledWith(
      { command: 'pause', target: 'checkout', reason: 'db migration' },
      ALICE,
      context,
    );
    expect(response).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ok: true, result: { done: true, message: 'paused checkout' } }),
    });
  });

  it('takes the principal from requestContext only: a name in the body is passed on untouched, never used', async () => {
    const { runtime, onOperator } = fakeRuntime();
    const body = {
      command: 'pause',
      target: 'checkout',
      reason: 'r',
      by: 'mallory',
      principal: 'arn:aws:iam::123456789012:root',
    };
    await createOperatorHandler(runtime)(urlEvent({ body: JSON.stringify(body) }), context);
    expect(onOperator).toHaveBeenCalledTimes(1);
    const [request, principal] = onOperator.mock.calls[0];
    expect(principal).toBe(ALICE);
    // The body reaches the runtime as sent; its strict parser rejects the unknown keys (see operator-request.test).
    expect(request).toEqual(body);
  });

  it("with the real request parser behind it, a self-reported name is rejected and the audit name is IAM's", async () => {
    const runtime: OperatorRuntime = {
      onOperator: async (request, principal) => {
        const parsed = parseOperatorRequest(request);
        return parsed.ok
          ? { ok: true, result: { done: true, message: `${parsed.request.command} by ${principal}` } }
          : { ok: false, error: { code: 'invalid-request', message: parsed.problems.join('; ') } };
      },
    };
    const handler = createOperatorHandler(runtime);
    const spoofed = await handler(
      urlEvent({ body: JSON.stringify({ command: 'resume', target: 'checkout', by: 'mallory' }) }),
      context,
    );
    expect(spoofed.statusCode).toBe(400);
    expect(JSON.parse(spoofed.body).error.message).toMatch(/^\$\.by: unknown key/);
    const honest = await handler(
      urlEvent({ body: JSON.stringify({ command: 'resume', target: 'checkout' }) }),
      context,
    );
    expect(JSON.parse(honest.body)).toEqual({
      ok: true,
      result: { done: true, message: `resume by ${ALICE}` },
    });
  });

  it('decodes a base64 body', async () => {
    const { runtime, onOperator } = fakeRuntime();
    const body = Buffer.from(JSON.stringify({ command: 'history', target: 'checkout' })).toString('base64');
    await createOperatorHandler(runtime)(urlEvent({ body, isBase64Encoded: true }), context);
    expect(onOperator).toHaveBeenCalledWith({ command: 'history', target: 'checkout' }, ALICE, context);
  });

  it.each([
    ['userArn', { userArn: ALICE, callerId: 'AROAEXAMPLE:alice' }, ALICE],
    [
      'arn without userArn',
      { userArn: undefined, arn: 'arn:aws:iam::123456789012:user/bob' },
      'arn:aws:iam::123456789012:user/bob',
    ],
    ['callerId as the last resort', { userArn: '', callerId: 'AIDAEXAMPLE' }, 'AIDAEXAMPLE'],
  ])('reads the principal from %s', (_, iam, expected) => {
    expect(authenticatedPrincipal(urlEvent({}, iam))).toBe(expected);
  });

  it('answers 403 without an IAM authorizer context, and never calls the runtime', async () => {
    const { runtime, onOperator } = fakeRuntime();
    const handler = createOperatorHandler(runtime);
    for (const event of [
      urlEvent({}, null),
      urlEvent({}, { userArn: undefined, callerId: undefined }),
      {
        ...urlEvent(),
        requestContext: { http: { method: 'POST' }, authorizer: { jwt: { claims: { sub: 'alice' } } } },
      },
    ]) {
      const response = await handler(event, context);
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toEqual({
        ok: false,
        error: { code: 'refused', message: expect.stringContaining('no IAM caller') },
      });
    }
    expect(onOperator).not.toHaveBeenCalled();
  });

  it('answers 405 to anything but POST', async () => {
    const { runtime, onOperator } = fakeRuntime();
    const handler = createOperatorHandler(runtime);
    const get = urlEvent();
    get.requestContext.http.method = 'GET';
    const response = await handler(get, context);
    expect(response.statusCode).toBe(405);
    expect(response.headers).toEqual({ 'content-type': 'application/json', allow: 'POST' });
    expect(JSON.parse(response.body).error).toEqual({
      code: 'invalid-request',
      message: 'method GET is not allowed; send a POST with a JSON operator request',
    });
    expect((await handler({}, context)).statusCode).toBe(405);
    expect(onOperator).not.toHaveBeenCalled();
  });

  it.each([
    ['not JSON', { body: '{ "command": ' }, /^the body is not valid JSON/],
    ['empty', { body: '' }, /^the body is empty/],
    ['missing', { body: undefined }, /^the body is empty/],
  ])('answers 400 when the body is %s', async (_, overrides, message) => {
    const { runtime, onOperator } = fakeRuntime();
    const response = await createOperatorHandler(runtime)(urlEvent(overrides), context);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: expect.stringMatching(message) },
    });
    expect(onOperator).not.toHaveBeenCalled();
  });

  it.each([
    ['invalid-request', 400],
    ['unknown-target', 404],
    ['not-found', 404],
    ['refused', 409],
    ['unavailable', 503],
  ] as const)('maps the %s error to HTTP %i, with the response as the body', async (code, status) => {
    const error = { code, message: `a ${code} error` };
    const { runtime } = fakeRuntime({ ok: false, error });
    const response = await createOperatorHandler(runtime)(urlEvent(), context);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error });
  });

  it('answers 500 with the request id when the runtime throws', async () => {
    const runtime = { onOperator: jest.fn(async () => Promise.reject(new Error('DynamoDB is down'))) };
    const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await createOperatorHandler(runtime)(urlEvent(), context);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      ok: false,
      error: { code: 'unavailable', message: expect.stringContaining('request id req-1') },
    });
    expect(log).toHaveBeenCalledWith(
      'operator request failed',
      expect.objectContaining({ requestId: 'req-1' }),
    );
    log.mockRestore();
  });
});

describe('read-only operator handler', () => {
  const changing = ['pause', 'resume', 'approve', 'rollback', 'drill'];

  it.each(changing)(
    'refuses %s with 403 before the runtime sees it, naming the URL it belongs on',
    async (command) => {
      const { runtime, onOperator } = fakeRuntime();
      const handler = createOperatorHandler(runtime, { readOnly: true });
      const response = await handler(
        urlEvent({ body: JSON.stringify({ command, target: 'checkout', reason: 'x' }) }),
        context,
      );
      expect(response.statusCode).toBe(403);
      expect(JSON.parse(response.body)).toEqual({
        ok: false,
        error: { code: 'refused', message: readOnlyRefusal(command) },
      });
      expect(readOnlyRefusal(command)).toBe(
        `${command} changes the watchdog, and this is the read-only operator URL (OperatorReadUrl), which serves ` +
          'status, history and report only: send it to the operator URL (OperatorUrl), which needs ' +
          'lambda:InvokeFunctionUrl on the operator function',
      );
      expect(onOperator).not.toHaveBeenCalled();
    },
  );

  it.each(['status', 'history'])('serves %s like the operator handler', async (command) => {
    const { runtime, onOperator } = fakeRuntime();
    const handler = createOperatorHandler(runtime, { readOnly: true });
    const response = await handler(urlEvent({ body: JSON.stringify({ command }) }), context);
    expect(response.statusCode).toBe(200);
    expect(onOperator).toHaveBeenCalledWith({ command }, ALICE, context);
  });

  it('leaves a request without a valid command to the runtime, which says what is wrong', async () => {
    const { runtime, onOperator } = fakeRuntime({
      ok: false,
      error: { code: 'invalid-request', message: 'm' },
    });
    const handler = createOperatorHandler(runtime, { readOnly: true });
    const response = await handler(urlEvent({ body: JSON.stringify({ target: 'checkout' }) }), context);
    expect(response.statusCode).toBe(400);
    expect(onOperator).toHaveBeenCalledTimes(1);
  });

  it('the operator handler itself still serves changing commands', async () => {
    const { runtime, onOperator } = fakeRuntime();
    const response = await createOperatorHandler(runtime)(
      urlEvent({ body: JSON.stringify({ command: 'pause', reason: 'x' }) }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(onOperator).toHaveBeenCalledTimes(1);
  });
});

describe('on-operator module', () => {
  it('wires the runtime built from the environment at module scope', async () => {
    const onOperator = jest.fn(async () => ({ ok: true, result: { targets: [] } }));
    const runtimeFromEnvironment = jest.fn(() => ({ onOperator }));
    jest.resetModules();
    jest.doMock('../../../lambda/handlers/environment', () => ({ runtimeFromEnvironment }));
    const { handler, readOnlyHandler } =
      require('../../../lambda/handlers/on-operator') as typeof import('../../../lambda/handlers/on-operator');
    expect(runtimeFromEnvironment).toHaveBeenCalledTimes(1);
    // Both exports share the one runtime; the read-only one refuses what changes the watchdog.
    expect((await readOnlyHandler(urlEvent(), context)).statusCode).toBe(200);
    const refused = await readOnlyHandler(urlEvent({ body: JSON.stringify({ command: 'resume' }) }), context);
    expect(refused.statusCode).toBe(403);
    onOperator.mockClear();
    const response = await handler(urlEvent(), context);
    await handler(urlEvent(), context);
    expect(response.statusCode).toBe(200);
    expect(runtimeFromEnvironment).toHaveBeenCalledTimes(1);
    expect(onOperator).toHaveBeenCalledWith({ command: 'status' }, ALICE, context);
    jest.dontMock('../../../lambda/handlers/environment');
  });
});
