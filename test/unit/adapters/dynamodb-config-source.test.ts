import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_POLICY,
  KEY,
  RUNTIME_CONFIG_ATTRIBUTE,
  RUNTIME_CONFIG_GZIP_ATTRIBUTE,
  type RuntimeConfig,
} from '../../../lambda/contract';
import { DynamoDbConfigSource, putRuntimeConfig } from '../../../lambda/adapters/dynamodb-config-source';
import { ConfigUnavailableError } from '../../../lambda/use-cases/errors';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

const CONFIG: RuntimeConfig = {
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: 60,
  sweepIntervalMinutes: 5,
  targets: [
    {
      id: 'checkout',
      type: 'ecs-service',
      cluster: 'prod',
      service: 'checkout',
      alarms: ['checkout-5xx', 'checkout-p99'],
      policy: DEFAULT_POLICY,
    },
    {
      id: 'payments',
      type: 'ecs-service',
      cluster: 'prod',
      service: 'payments',
      alarms: [],
      policy: { ...DEFAULT_POLICY, mode: 'approval', cooldownMinutes: 0 },
    },
  ],
};

const configKey = () => {
  const { pk, sk } = KEY.config();
  return { pk: { S: pk }, sk: { S: sk } };
};

describe('DynamoDbConfigSource against dynalite', () => {
  let dynalite: TestDynalite;
  let tableName: string;
  let clock: number;
  let getItemCalls: number;

  beforeAll(async () => {
    dynalite = await startDynalite();
    dynalite.client.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'GetItemCommand') getItemCalls += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countGetItem' },
    );
  });

  afterAll(async () => {
    await dynalite.stop();
  });

  beforeEach(async () => {
    tableName = await dynalite.createTable();
    clock = 1_000_000;
    getItemCalls = 0;
  });

  const source = (cacheMs?: number) =>
    new DynamoDbConfigSource({ client: dynalite.client, tableName, now: () => clock, cacheMs });

  const putRaw = (config: string) =>
    dynalite.client.send(
      new PutItemCommand({ TableName: tableName, Item: { ...configKey(), config: { S: config } } }),
    );

  const loadError = async (configSource: DynamoDbConfigSource): Promise<Error> => {
    const error: unknown = await configSource.load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigUnavailableError);
    return error as Error;
  };

  it('reads back what putRuntimeConfig wrote', async () => {
    await putRuntimeConfig(dynalite.client, tableName, CONFIG);

    await expect(source().load()).resolves.toStrictEqual(CONFIG);
  });

  it('stores the config gzip-compressed, so that 1,000 targets fit a 400 KB item many times over', async () => {
    const fleet: RuntimeConfig = {
      ...CONFIG,
      targets: Array.from({ length: 1000 }, (_, i) => ({
        ...CONFIG.targets[0],
        id: `service-${i}`,
        service: `service-${i}-api`,
        alarms: [`service-${i}-api-http-5xx-rate`, `service-${i}-api-p99-latency`],
      })),
    };
    await putRuntimeConfig(dynalite.client, tableName, fleet);

    const { Item } = await dynalite.client.send(
      new GetItemCommand({ TableName: tableName, Key: configKey() }),
    );
    expect(Item?.[RUNTIME_CONFIG_ATTRIBUTE]).toBeUndefined();
    const stored = Item![RUNTIME_CONFIG_GZIP_ATTRIBUTE].B!;
    expect(JSON.parse(gunzipSync(stored).toString('utf8'))).toStrictEqual(fleet);
    expect(JSON.stringify(fleet).length).toBeGreaterThan(300_000);
    expect(stored.length).toBeLessThan(40_000);
    await expect(source().load()).resolves.toStrictEqual(fleet);
  });

  it('still reads an item that holds the config as a plain JSON string (written by an older stack)', async () => {
    await putRaw(JSON.stringify(CONFIG));

    await expect(source().load()).resolves.toStrictEqual(CONFIG);
  });

  it('rejects a compressed attribute that is not gzip data', async () => {
    await dynalite.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...configKey(), [RUNTIME_CONFIG_GZIP_ATTRIBUTE]: { B: Buffer.from('{"not": "gzip"}') } },
      }),
    );

    expect((await loadError(source())).message).toContain(
      `attribute "${RUNTIME_CONFIG_GZIP_ATTRIBUTE}" is not gzip data`,
    );
  });

  it('serves the cached config within cacheMs without reading the table', async () => {
    await putRuntimeConfig(dynalite.client, tableName, CONFIG);
    const configSource = source(30_000);
    await configSource.load();
    await dynalite.client.send(new DeleteItemCommand({ TableName: tableName, Key: configKey() }));

    clock += 29_999;
    const cached = await configSource.load();

    expect(cached).toStrictEqual(CONFIG);
    expect(getItemCalls).toBe(1);
  });

  it('reads the item again once cacheMs has passed', async () => {
    await putRuntimeConfig(dynalite.client, tableName, CONFIG);
    const configSource = source();
    await configSource.load();
    const updated = { ...CONFIG, maxEventAgeMinutes: 5 };
    await putRuntimeConfig(dynalite.client, tableName, updated);

    clock += 60_000;
    const reloaded = await configSource.load();

    expect(reloaded).toStrictEqual(updated);
    expect(getItemCalls).toBe(2);
  });

  it('shares one read between concurrent loads', async () => {
    await putRuntimeConfig(dynalite.client, tableName, CONFIG);
    const configSource = source();

    const loaded = await Promise.all([configSource.load(), configSource.load(), configSource.load()]);

    expect(loaded).toEqual([CONFIG, CONFIG, CONFIG]);
    expect(getItemCalls).toBe(1);
  });

  it('names the missing item, and does not cache the failure', async () => {
    const configSource = source();

    const error = await loadError(configSource);
    await putRuntimeConfig(dynalite.client, tableName, CONFIG);

    expect(error.message).toContain('pk=CONFIG, sk=CURRENT');
    expect(error.message).toContain('is missing');
    await expect(configSource.load()).resolves.toStrictEqual(CONFIG);
  });

  it('rejects a config attribute that is not JSON', async () => {
    await putRuntimeConfig(dynalite.client, tableName, CONFIG);
    await putRaw('{"schemaVersion": 1,');

    const error = await loadError(source());

    expect(error.message).toContain('is not valid JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects an item without a string config attribute', async () => {
    await dynalite.client.send(
      new PutItemCommand({ TableName: tableName, Item: { ...configKey(), config: { N: '1' } } }),
    );

    expect((await loadError(source())).message).toContain(
      'neither a binary attribute "configGzip" nor a string attribute "config"',
    );
  });

  it('rejects a config of another schema version', async () => {
    await putRaw(JSON.stringify({ ...CONFIG, schemaVersion: 2 }));

    expect((await loadError(source())).message).toContain('$.schemaVersion: expected 1, got 2');
  });

  it('lists every shape problem with its JSON path', async () => {
    const broken = {
      ...CONFIG,
      region: '',
      targets: [
        { ...CONFIG.targets[0], alarms: 'checkout-5xx' },
        { id: 'lambda', type: 'ec2-instance', alarms: [], policy: { ...DEFAULT_POLICY, mode: 'yolo' } },
        {
          ...CONFIG.targets[1],
          cluster: undefined,
          policy: { ...DEFAULT_POLICY, maxRollbacks: { count: -1 } },
        },
      ],
    };
    await putRaw(JSON.stringify(broken));

    const { message } = await loadError(source());

    expect(message).toContain('$.region: expected a non-empty string');
    expect(message).toContain('$.targets[0].alarms: expected an array of alarm names');
    expect(message).toContain(
      '$.targets[1].type: expected one of ecs-service, codedeploy, lambda-alias, appconfig, got "ec2-instance"',
    );
    expect(message).toContain(
      '$.targets[1].policy.mode: expected one of auto, approval, dry-run, got "yolo"',
    );
    expect(message).toContain('$.targets[2].cluster: expected a non-empty string');
    expect(message).toContain('$.targets[2].policy.maxRollbacks.count: expected a number >= 0, got -1');
    expect(message).toContain('$.targets[2].policy.maxRollbacks.windowMinutes: expected a number >= 0');
  });

  it('reads auditRetentionDays when present and rejects one that is not 1 to 3650 whole days', async () => {
    await putRuntimeConfig(dynalite.client, tableName, { ...CONFIG, auditRetentionDays: 400 });
    expect((await source().load()).auditRetentionDays).toBe(400);

    await putRaw(JSON.stringify({ ...CONFIG, auditRetentionDays: 0 }));
    expect((await loadError(source())).message).toContain(
      '$.auditRetentionDays: must be a whole number of days from 1 to 3650',
    );
    await putRaw(JSON.stringify({ ...CONFIG, auditRetentionDays: '90' }));
    expect((await loadError(source())).message).toContain(
      '$.auditRetentionDays: expected a number of days, got "90"',
    );
  });

  it('rejects a config that is not an object or has no targets array', async () => {
    await putRaw('[]');
    const notAnObject = await loadError(source());
    await putRaw(JSON.stringify({ ...CONFIG, targets: {} }));
    const noTargets = await loadError(source());

    expect(notAnObject.message).toContain('$: expected an object');
    expect(noTargets.message).toContain('$.targets: expected an array');
  });
});

describe('DynamoDbConfigSource read failures', () => {
  it('wraps an SDK failure in ConfigUnavailableError, keeping the cause', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const ddb = mockClient(client);
    const cause = Object.assign(new Error('User is not authorized to perform: dynamodb:GetItem'), {
      name: 'AccessDeniedException',
    });
    ddb.on(GetItemCommand).rejects(cause);

    const error: unknown = await new DynamoDbConfigSource({ client, tableName: 'table' })
      .load()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigUnavailableError);
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).message).toContain('AccessDeniedException');
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { ConsistentRead: true, TableName: 'table' });
  });
});
