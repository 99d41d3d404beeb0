import { CONFIG_WRITER_PROPERTY, configTokenIndex, type RuntimeConfig } from '../contract';
import type {
  AssetReader,
  CustomResourceResponse,
  ResponseSender,
  RuntimeConfigWriter,
  Telemetry,
} from './ports';

export interface WriteRuntimeConfigDeps {
  readonly assets: AssetReader;
  readonly writer: RuntimeConfigWriter;
  readonly responses: ResponseSender;
  readonly telemetry: Telemetry;
  /** The shape check the functions apply when they load the item: an item they would refuse is never written. */
  readonly problemsOf: (config: unknown) => string[];
}

/** The one item the resource manages; kept from the AwsCustomResource it replaces. */
export const CONFIG_PHYSICAL_ID = 'CONFIG#CURRENT';

/** CloudFormation's Reason is cut at 4 KB; the start of a long problem list is the useful part. */
const MAX_REASON_CHARS = 2_000;

interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
}

/**
 * The config writer's custom resource: on Create and Update, reads the config asset, puts back the
 * deploy-time values its markers stand for, checks it, and writes it to the state table; Delete leaves the
 * item alone (the table, audit log and ledger outlive the stack). Every request gets a response, FAILED
 * with the reason when anything goes wrong, so a deploy fails at once instead of waiting an hour. Only a
 * response that could not be delivered throws (Lambda retries the invocation, then dead-letters it).
 */
export async function writeRuntimeConfig(deps: WriteRuntimeConfigDeps, raw: unknown): Promise<void> {
  const event = parseEvent(raw);
  const respond = (status: CustomResourceResponse['Status'], reason?: string) =>
    deps.responses.send(event.ResponseURL, {
      Status: status,
      ...(reason !== undefined ? { Reason: reason.slice(0, MAX_REASON_CHARS) } : {}),
      PhysicalResourceId: event.PhysicalResourceId ?? CONFIG_PHYSICAL_ID,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    });
  if (event.RequestType === 'Delete') {
    await respond('SUCCESS');
    return;
  }
  let written: { tableName: string; targets: number };
  try {
    written = await write(deps, event.ResourceProperties);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.telemetry.log('error', 'runtime config not written', { reason });
    await respond('FAILED', `Rollback Watchdog could not write its runtime config: ${reason}`);
    return;
  }
  deps.telemetry.log('info', 'runtime config written', written);
  await respond('SUCCESS');
}

async function write(
  deps: WriteRuntimeConfigDeps,
  properties: Record<string, unknown>,
): Promise<{ tableName: string; targets: number }> {
  const bucket = stringProperty(properties, CONFIG_WRITER_PROPERTY.bucket);
  const key = stringProperty(properties, CONFIG_WRITER_PROPERTY.key);
  const tableName = stringProperty(properties, CONFIG_WRITER_PROPERTY.tableName);
  const substitutions = properties[CONFIG_WRITER_PROPERTY.substitutions] ?? [];
  if (!Array.isArray(substitutions) || !substitutions.every((s) => typeof s === 'string')) {
    throw new Error(`property ${CONFIG_WRITER_PROPERTY.substitutions} must be a list of strings`);
  }
  const text = await deps.assets.readText(bucket, key);
  let asset: unknown;
  try {
    asset = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `s3://${bucket}/${key} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const config = substitute(asset, substitutions);
  const problems = deps.problemsOf(config);
  if (problems.length > 0) throw new Error(`the config is invalid: ${problems.join('; ')}`);
  const runtimeConfig = config as RuntimeConfig;
  await deps.writer.write(tableName, runtimeConfig);
  return { tableName, targets: runtimeConfig.targets.length };
}

/** Replaces every marker string by the value it stands for, recursively. */
function substitute(value: unknown, substitutions: readonly string[]): unknown {
  if (typeof value === 'string') {
    const index = configTokenIndex(value);
    if (index === undefined) return value;
    if (index >= substitutions.length) {
      throw new Error(
        `the asset refers to deploy-time value ${index}, but only ${substitutions.length} were given`,
      );
    }
    return substitutions[index];
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, substitutions));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, substitutions)]));
  }
  return value;
}

function stringProperty(properties: Record<string, unknown>, name: string): string {
  const value = properties[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`property ${name} must be a non-empty string`);
  return value;
}

/** Without a ResponseURL there is no one to answer: that is a wrong invocation, not a failed write. */
function parseEvent(raw: unknown): CustomResourceEvent {
  const event = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const invalid = ['ResponseURL', 'StackId', 'RequestId', 'LogicalResourceId'].filter(
    (field) => typeof event[field] !== 'string',
  );
  if (!['Create', 'Update', 'Delete'].includes(event.RequestType as string)) invalid.push('RequestType');
  if (invalid.length > 0) {
    throw new Error(
      `not a CloudFormation custom resource request (missing or invalid: ${invalid.join(', ')})`,
    );
  }
  const properties = event.ResourceProperties;
  return {
    ...(event as unknown as CustomResourceEvent),
    ResourceProperties:
      typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {},
  };
}
