import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TABLE, type OperatorRequest } from '../../lambda/contract';
import { DynamoDbOnceGuard } from '../../lambda/adapters/dynamodb-once-guard';
import { createSecretsManagerClient, SlackSigningSecretReader } from '../../lambda/adapters/secrets-manager';
import { createSlackInteractionHandler, type SlackWork } from '../../lambda/handlers/slack-interaction';
import type { AuditEntry } from '../../lambda/use-cases/ports';
import { NOW, pressBody, SECRET, signed } from '../support/slack-requests';
import { deployToMoto, emulatorTemplate } from './support/stack';

/**
 * The Slack interaction endpoint's own adapters on moto: the signing secret read from Secrets Manager out of the
 * same JSON secret as the webhook URL, and the replay guard's conditional writes on a table made from the
 * template's key schema and TTL. The operator use cases behind it are recorded, not run.
 */
const dynamodb = new DynamoDBClient({});
const secrets = new SecretsManagerClient({});
afterAll(() => {
  dynamodb.destroy();
  secrets.destroy();
});

it('RELIABILITY #29: verifies against the signing secret in the JSON secret, acts once, and refuses the replay', async () => {
  const { tableName } = await deployToMoto(emulatorTemplate('dynamodb'), 'emu-slack');
  const secretName = 'watchdog/slack-interactive';
  await secrets.send(
    new CreateSecretCommand({
      Name: secretName,
      SecretString: JSON.stringify({
        webhookUrl: 'https://hooks.slack.com/services/T0/B0/x',
        signingSecret: SECRET,
      }),
    }),
  );
  const operated: { request: OperatorRequest; principal: string }[] = [];
  const audit: AuditEntry[] = [];
  const work: SlackWork[] = [];
  const handler = createSlackInteractionHandler({
    runtime: {
      onOperator: async (request, principal) => {
        operated.push({ request: request as OperatorRequest, principal });
        return { ok: true, result: { done: true, message: 'Rolling payments back.' } };
      },
      audit: async (entry) => {
        audit.push(entry);
        return true;
      },
    },
    signingSecret: new SlackSigningSecretReader({
      client: createSecretsManagerClient(),
      secretId: secretName,
    }),
    once: new DynamoDbOnceGuard({ client: dynamodb, tableName }),
    responder: { respond: async () => undefined },
    invokeSelf: async (w) => void work.push(w),
    approvers: new Set(['U0APPROVER']),
    region: 'us-east-1',
    telemetry: { log: () => undefined, count: () => undefined, flush: () => undefined },
    now: () => NOW * 1000,
  });
  const context = { awsRequestId: 'req-moto' };
  const request = signed(pressBody({ trigger_id: 'moto-1' }));
  const post = () =>
    handler(
      {
        requestContext: { http: { method: 'POST', sourceIp: '127.0.0.1' } },
        headers: request.headers,
        body: request.body,
      },
      context,
    );

  expect(await post()).toMatchObject({ statusCode: 200 });
  expect(await post()).toMatchObject({ statusCode: 401 });
  await handler(work[0], context);
  await handler(work[0], context);
  expect(operated).toEqual([
    {
      request: { command: 'approve', target: 'payments', decision: 'dec-1' },
      principal: 'slack:T0TEAM/U0APPROVER',
    },
  ]);
  expect(audit.map((e) => e.type === 'rejected' && e.reason)).toEqual(['unauthenticated']);

  // What moto holds: the request seen, the press done and the minute's audited refusal, each expiring by TTL.
  const { Items } = await dynamodb.send(new ScanCommand({ TableName: tableName }));
  const once = (Items ?? []).filter((i) => i[TABLE.partitionKey]?.S?.startsWith('ONCE#'));
  expect(once.map((i) => i[TABLE.partitionKey]?.S?.split('#')[1]).sort()).toEqual([
    'slack-action',
    'slack-refused',
    'slack-request',
  ]);
  for (const item of once) expect(Number(item[TABLE.ttlAttribute]?.N)).toBeGreaterThan(NOW);
});
