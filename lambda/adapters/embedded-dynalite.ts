import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE } from '../contract';

/** A running in-process dynalite (a DynamoDB implementation on LevelDB) with the watchdog's table. */
export interface EmbeddedDynalite {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** A client for `endpoint` with dummy credentials; destroyed by `stop()`. */
  readonly client: DynamoDBClient;
  /** The table created at start, with the contract key schema. */
  readonly tableName: string;
  /** Creates another table with the contract key schema (default: a fresh unique name) and waits until ACTIVE. */
  createTable(name?: string): Promise<string>;
  /** Closes the client, every open connection and the server. Safe to call twice. */
  stop(): Promise<void>;
}

export interface EmbeddedDynaliteOptions {
  /** Name of the table created at start. @default a fresh unique name */
  readonly tableName?: string;
  /** LevelDB directory for a store that survives restarts. @default in memory */
  readonly path?: string;
}

const ACTIVE_TIMEOUT_MS = 5_000;
const ACTIVE_POLL_MS = 5;

let tableCounter = 0;

/**
 * Starts dynalite on an ephemeral port of 127.0.0.1 and creates a table with the contract key schema
 * (`pk`/`sk` strings, on-demand billing). Used by the tests and by `watchdog simulate`, so the real
 * DynamoDB adapter code runs against real conditional-write semantics offline.
 *
 * dynalite implements neither TransactWriteItems nor UpdateTimeToLive: items never expire in it.
 */
export async function startEmbeddedDynalite(
  options: EmbeddedDynaliteOptions = {},
): Promise<EmbeddedDynalite> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    // The default pool of 50 sockets queues (and warns about) bursts such as 100 concurrent claims.
    requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      client.destroy();
      // Keep-alive sockets would otherwise hold server.close() open until they time out.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    })();
    return stopped;
  };

  const createTable = async (name = uniqueTableName()): Promise<string> => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: TABLE.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
    await waitUntilActive(client, name);
    return name;
  };

  try {
    const tableName = await createTable(options.tableName);
    return { endpoint, client, tableName, createTable, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function uniqueTableName(): string {
  tableCounter += 1;
  return `watchdog-${process.pid}-${Date.now()}-${tableCounter}`;
}

/** The SDK waiter polls no faster than once a second; dynalite with createTableMs 0 is ready within a tick. */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`dynalite table ${tableName} did not become ACTIVE within ${ACTIVE_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
  }
}
