import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type KeySchemaElement,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { KEY, RUNTIME_CONFIG_ATTRIBUTE, TABLE, type RuntimeConfig } from '../../../lambda/contract';
import type { EmulatorArea } from './configs';
import { MOTO_ACCOUNT, MOTO_REGION } from './constants';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

/** Where the global setup writes the templates of test/emulator/support/configs.ts. */
export const TEMPLATES_DIR_ENV = 'WATCHDOG_EMULATOR_TEMPLATES';

/** The template the global setup synthesized for `area` (see configs.ts). */
export function emulatorTemplate(area: EmulatorArea): CfnTemplate {
  const dir = process.env[TEMPLATES_DIR_ENV];
  if (!dir) throw new Error(`${TEMPLATES_DIR_ENV} is not set: run through npm run test:emulator`);
  return JSON.parse(readFileSync(join(dir, `${area}.template.json`), 'utf8')) as CfnTemplate;
}

/** The one resource of `type` in the template (throws when there is not exactly one). */
export function onlyResource(template: CfnTemplate, type: string): [string, CfnResource] {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} in the template, found ${found.length}`);
  return found[0];
}

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::AccountId': MOTO_ACCOUNT,
  'AWS::Region': MOTO_REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Emulator',
};

/**
 * Resolves the intrinsics CDK emits (Ref, Fn::GetAtt, Fn::Join) the way CloudFormation would, with moto's
 * account and region for the pseudo parameters and `physical` for resources (`LogicalId` for Ref,
 * `LogicalId.Attribute` for Fn::GetAtt). Anything else is an error, so a template change cannot slip
 * through unresolved.
 */
export function resolveIntrinsics(value: unknown, physical: Readonly<Record<string, string>> = {}): any {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, physical));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    const lookup = (name: string): string => {
      const found = PSEUDO[name] ?? physical[name];
      if (found === undefined) throw new Error(`no physical value for ${key} ${name}`);
      return found;
    };
    switch (key) {
      case 'Ref':
        return lookup(arg as string);
      case 'Fn::GetAtt':
        return lookup((arg as string[]).join('.'));
      case 'Fn::Join': {
        const [delimiter, parts] = arg as [string, unknown[]];
        return parts.map((p) => String(resolveIntrinsics(p, physical))).join(delimiter);
      }
    }
    if (key.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${key}`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, physical)]));
}

/** The parts of a synthesized watchdog that exist in moto after {@link deployToMoto}. */
export interface MotoStack {
  readonly template: CfnTemplate;
  readonly tableName: string;
  readonly topicArn: string;
  /** The runtime config the stack's custom resource wrote into the table. */
  readonly config: RuntimeConfig;
}

/**
 * Creates in moto what the watchdog's Lambdas talk to, from the synthesized template rather than from our
 * own picture of it: the state table with the template's key schema, billing mode and TTL attribute; the
 * notification topic; and the runtime config item, written with exactly the PutItem call the template's
 * config-writer custom resource makes at deploy time.
 *
 * Left out, and why: the topic's KMS key and policy (moto neither encrypts nor evaluates resource policies;
 * test/infra checks both), the Lambda functions (the suite runs the handlers in-process) and the EventBridge
 * rules (eventbridge.test.ts puts them into moto with queue targets).
 */
export async function deployToMoto(template: CfnTemplate, prefix: string): Promise<MotoStack> {
  const dynamodb = new DynamoDBClient({});
  const sns = new SNSClient({});
  try {
    const [tableId, table] = onlyResource(template, 'AWS::DynamoDB::Table');
    const tableName = `${prefix}-state`;
    const props = table.Properties ?? {};
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: props.KeySchema as KeySchemaElement[],
        AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
        BillingMode: props.BillingMode as 'PAY_PER_REQUEST',
      }),
    );
    const ttl = props.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
    if (ttl) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: ttl }),
      );
    }

    const [topicId, topic] = onlyResource(template, 'AWS::SNS::Topic');
    const { TopicArn: topicArn } = await sns.send(
      new CreateTopicCommand({
        Name: `${prefix}-notifications`,
        Attributes: { DisplayName: String(topic.Properties?.DisplayName ?? '') },
      }),
    );
    if (!topicArn) throw new Error('moto returned no TopicArn');

    const physical = { [tableId]: tableName, [topicId]: topicArn };
    const config = await writeRuntimeConfig(template, physical, dynamodb);
    return { template, tableName, topicArn, config };
  } finally {
    dynamodb.destroy();
    sns.destroy();
  }
}

/** Runs the config writer's `Create` call (an AwsCustomResource: `{ service, action, parameters }`). */
async function writeRuntimeConfig(
  template: CfnTemplate,
  physical: Record<string, string>,
  dynamodb: DynamoDBClient,
): Promise<RuntimeConfig> {
  const [, writer] = onlyResource(template, 'Custom::AWS');
  const call = JSON.parse(resolveIntrinsics(writer.Properties?.Create, physical) as string) as {
    service: string;
    action: string;
    parameters: PutItemCommandInput;
  };
  if (call.service !== 'DynamoDB' || call.action !== 'putItem') {
    throw new Error(`the config writer calls ${call.service}.${call.action}, not DynamoDB.putItem`);
  }
  const item = call.parameters.Item ?? {};
  const key = KEY.config();
  if (item[TABLE.partitionKey]?.S !== key.pk || item[TABLE.sortKey]?.S !== key.sk) {
    throw new Error('the config writer does not write the KEY.config() item');
  }
  await dynamodb.send(new PutItemCommand(call.parameters));
  return JSON.parse(item[RUNTIME_CONFIG_ATTRIBUTE]?.S ?? 'null') as RuntimeConfig;
}
