import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOperatorRequest } from '../../../lambda/boundary/operator-request';
import { SignedOperatorClient } from '../../../lambda/adapters/operator-http-client';
import { createOperatorHandler, type OperatorRuntime } from '../../../lambda/handlers/operator-http';
import type { OperatorEnvironment } from '../../../lambda/cli/operator-client';
import { runCli } from './support';

/**
 * The whole operator path except AWS itself: the CLI's signed HTTP client → a local stand-in for the Function
 * URL (which, like AWS_IAM auth, turns the signing key into `requestContext.authorizer.iam`) → the real
 * operator handler → a runtime that parses with the real request parser.
 */
const ROLE = 'arn:aws:sts::123456789012:assumed-role/OnCall';
let server: Server;
let url: string;
const seen: { principal: string; request: unknown }[] = [];

const runtime: OperatorRuntime = {
  async onOperator(request, principal) {
    seen.push({ principal, request });
    const parsed = parseOperatorRequest(request);
    if (!parsed.ok)
      return { ok: false, error: { code: 'invalid-request', message: parsed.problems.join('; ') } };
    const r = parsed.request;
    if (r.command === 'rollback' && !r.force)
      return {
        ok: false,
        error: { code: 'refused', message: `${r.to ?? '?'} is not in the known-good ledger` },
      };
    return { ok: true, result: { done: true, message: `${r.command} done for ${principal}` } };
  },
};
const handler = createOperatorHandler(runtime);

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const accessKey = /Credential=([A-Z0-9]+)\//.exec(String(req.headers.authorization))?.[1];
      const event = {
        requestContext: {
          http: { method: req.method },
          ...(accessKey ? { authorizer: { iam: { userArn: `${ROLE}/${accessKey}` } } } : {}),
        },
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
      };
      void handler(event, { awsRequestId: 'req-e2e' }).then((response) =>
        res.writeHead(response.statusCode, response.headers).end(response.body),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function environment(accessKeyId: string): OperatorEnvironment {
  return {
    connect: async () =>
      new SignedOperatorClient({
        url,
        region: 'eu-west-1',
        credentials: { accessKeyId, secretAccessKey: 'secret' },
      }),
    sleep: async () => undefined,
    now: () => Date.now(),
  };
}

describe('CLI → signed HTTP → operator handler', () => {
  it('runs a command as the principal that signed it', async () => {
    const result = await runCli(['pause', 'checkout', '--reason', 'db migration'], {
      operator: environment('ALICEKEY'),
    });
    expect(result).toEqual({ code: 0, stdout: `pause done for ${ROLE}/ALICEKEY\n`, stderr: '' });
    expect(seen.at(-1)).toEqual({
      principal: `${ROLE}/ALICEKEY`,
      request: { command: 'pause', target: 'checkout', reason: 'db migration' },
    });
  });

  it('carries a refusal back as exit 1, and --force through', async () => {
    const refused = await runCli(['rollback', 'checkout', '--to', 'checkout:30', '--reason', 'x'], {
      operator: environment('BOBKEY'),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^watchdog rollback: checkout:30 is not in the known-good ledger \(refused\)\n/,
    );
    const forced = await runCli(
      ['rollback', 'checkout', '--to', 'checkout:30', '--reason', 'x', '--force', '--json'],
      {
        operator: environment('BOBKEY'),
      },
    );
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ done: true, message: `rollback done for ${ROLE}/BOBKEY` });
  });
});
