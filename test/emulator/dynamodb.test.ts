import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE } from '../../lambda/contract';
import { describeStateStoreContract } from '../support/state-store-contract';
import { deployToMoto, emulatorTemplate, onlyResource, type SynthesizedStack } from './support/stack';

/**
 * The state store's contract on moto's DynamoDB, a second implementation beside dynalite (which runs the
 * same tests in `npm test`), with every table created from the synthesized template's key schema, billing
 * mode and TTL specification.
 */
const client = new DynamoDBClient({});
let template: SynthesizedStack;
let tables = 0;

beforeAll(() => {
  template = emulatorTemplate('dynamodb');
});
afterAll(() => client.destroy());

it("creates the table from the template's key schema, billing mode and TTL attribute", async () => {
  const stack = await deployToMoto(template, 'emu-ddb-schema');
  const { Table } = await client.send(new DescribeTableCommand({ TableName: stack.tableName }));
  const [, resource] = onlyResource(template, 'AWS::DynamoDB::Table');

  expect(Table?.KeySchema).toEqual(resource.Properties?.KeySchema);
  expect(Table?.KeySchema).toEqual([
    { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
    { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
  ]);
  expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  expect(resource.Properties?.TimeToLiveSpecification).toEqual({
    AttributeName: TABLE.ttlAttribute,
    Enabled: true,
  });
  // The config writer's PutItem went through: the runtime config names the target.
  expect(stack.config.targets.map((t) => t.id)).toEqual(['checkout']);
});

describeStateStoreContract({
  name: 'moto',
  client: () => client,
  createTable: async () => {
    tables += 1;
    return (await deployToMoto(template, `emu-ddb-${tables}`)).tableName;
  },
  hasTimeToLive: true,
});
