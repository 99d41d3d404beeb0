import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DynamoDbConfigSource,
  DynamoDbRuntimeConfigWriter,
  runtimeConfigProblems,
} from '../../../lambda/adapters/dynamodb-config-source';
import { S3ObjectReader } from '../../../lambda/adapters/s3-object-reader';
import {
  CONFIG_WRITER_PROPERTY,
  CONFIG_WRITER_RESOURCE_TYPE,
  type RuntimeConfig,
} from '../../../lambda/contract';
import type { CustomResourceResponse } from '../../../lambda/use-cases/ports';
import { writeRuntimeConfig as runConfigWriter } from '../../../lambda/use-cases/write-runtime-config';
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

/** A synthesized stack as the suite deploys it: the template and the runtime config asset beside it. */
export interface SynthesizedStack extends CfnTemplate {
  readonly configAsset: string;
}

/** The template the global setup synthesized for `area` (see configs.ts), with its config asset. */
export function emulatorTemplate(area: EmulatorArea): SynthesizedStack {
  const dir = process.env[TEMPLATES_DIR_ENV];
  if (!dir) throw new Error(`${TEMPLATES_DIR_ENV} is not set: run through npm run test:emulator`);
  const template = JSON.parse(readFileSync(join(dir, `${area}.template.json`), 'utf8')) as CfnTemplate;
  return { ...template, configAsset: readFileSync(join(dir, `${area}.config-asset.json`), 'utf8') };
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
 * Resolves the intrinsics CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub of a string) the way CloudFormation would, with moto's
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
      case 'Fn::Sub':
        // The string form only (no variable map); "${!x}" is a literal "${x}".
        if (typeof arg === 'string') {
          return arg.replace(/\$\{(!?)([^}]+)\}/g, (_m, bang: string, name: string) =>
            bang ? `\${${name}}` : lookup(name),
          );
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
  /** The runtime config the stack's config writer wrote into the table. */
  readonly config: RuntimeConfig;
}

/**
 * Creates in moto what the watchdog's Lambdas talk to, from the synthesized template rather than from our
 * own picture of it: the state table with the template's key schema, billing mode and TTL attribute; the
 * notification topic; and the runtime config item, written by the real config writer (the custom resource's
 * use case with its S3 and DynamoDB adapters) from the config asset uploaded to a moto bucket, with the
 * deploy-time values the template's custom resource passes.
 *
 * Left out, and why: the topic's KMS key and policy (moto neither encrypts nor evaluates resource policies;
 * test/infra checks both), the Lambda functions (the suite runs the handlers in-process) and the EventBridge
 * rules (eventbridge.test.ts puts them into moto with queue targets).
 */
export async function deployToMoto(template: SynthesizedStack, prefix: string): Promise<MotoStack> {
  const dynamodb = new DynamoDBClient({});
  const sns = new SNSClient({});
  // Path-style addressing: moto serves every bucket at its one loopback endpoint.
  const s3 = new S3Client({ forcePathStyle: true });
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
    const config = await writeRuntimeConfig(template, physical, { dynamodb, s3 }, prefix);
    return { template, tableName, topicArn, config };
  } finally {
    dynamodb.destroy();
    sns.destroy();
    s3.destroy();
  }
}

/**
 * What CloudFormation does for the config writer's custom resource: uploads the asset (here to a moto bucket)
 * and sends the Create request with the template's properties resolved. The real use case and adapters then
 * read the asset from moto's S3 and write the item to moto's DynamoDB; the response must be SUCCESS.
 */
async function writeRuntimeConfig(
  template: SynthesizedStack,
  physical: Record<string, string>,
  clients: { readonly dynamodb: DynamoDBClient; readonly s3: S3Client },
  prefix: string,
): Promise<RuntimeConfig> {
  const [logicalId, writer] = onlyResource(template, CONFIG_WRITER_RESOURCE_TYPE);
  const props = writer.Properties ?? {};
  const bucket = `${prefix}-assets`;
  const key = props[CONFIG_WRITER_PROPERTY.key] as string;
  if (typeof key !== 'string') throw new Error('the config writer names no literal asset key');
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: template.configAsset }));
  const responses: CustomResourceResponse[] = [];
  await runConfigWriter(
    {
      assets: new S3ObjectReader(clients.s3),
      writer: new DynamoDbRuntimeConfigWriter(clients.dynamodb),
      responses: { send: async (_url, response) => void responses.push(response) },
      telemetry: { log: () => undefined, count: () => undefined, flush: () => undefined },
      problemsOf: runtimeConfigProblems,
    },
    {
      RequestType: 'Create',
      ResponseURL: 'https://cloudformation-custom-resource-response.invalid/',
      StackId: `arn:aws:cloudformation:${MOTO_REGION}:${MOTO_ACCOUNT}:stack/Emulator/1`,
      RequestId: `${prefix}-create`,
      LogicalResourceId: logicalId,
      ResourceType: CONFIG_WRITER_RESOURCE_TYPE,
      ResourceProperties: {
        [CONFIG_WRITER_PROPERTY.bucket]: bucket,
        [CONFIG_WRITER_PROPERTY.key]: key,
        [CONFIG_WRITER_PROPERTY.tableName]: resolveIntrinsics(
          props[CONFIG_WRITER_PROPERTY.tableName],
          physical,
        ),
        [CONFIG_WRITER_PROPERTY.substitutions]: resolveIntrinsics(
          props[CONFIG_WRITER_PROPERTY.substitutions] ?? [],
          physical,
        ),
      },
    },
  );
  if (responses[0]?.Status !== 'SUCCESS') {
    throw new Error(`the config writer answered ${JSON.stringify(responses)}`);
  }
  const tableName =
    physical[Object.keys(physical).find((id) => template.Resources[id]?.Type === 'AWS::DynamoDB::Table')!];
  return new DynamoDbConfigSource({ client: clients.dynamodb, tableName }).load();
}
