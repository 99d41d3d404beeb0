import { gunzipSync, gzipSync } from 'node:zlib';
import {
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  KEY,
  MODES,
  ON_MEMBER_FAILURE,
  RUNTIME_CONFIG_ATTRIBUTE,
  RUNTIME_CONFIG_GZIP_ATTRIBUTE,
  RUNTIME_CONFIG_SCHEMA_VERSION,
  TABLE,
  TARGET_IDENTITY_FIELDS,
  retentionDaysProblem,
  type RuntimeConfig,
  type RuntimeTarget,
} from '../contract';
import type { Millis } from '../domain';
import { ConfigUnavailableError } from '../use-cases/errors';
import type { ConfigSource, RuntimeConfigWriter } from '../use-cases/ports';
import { describeError } from './aws-errors';

const DEFAULT_CACHE_MS = 60_000;

export interface DynamoDbConfigSourceOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * How long a loaded config is reused before the item is read again. Warm containers still pick up a new
   * deploy at once, because the deploy changes an environment variable and so replaces them.
   * @default 60_000
   */
  readonly cacheMs?: number;
  /** Clock for the cache; the simulator passes its virtual one. @default Date.now */
  readonly now?: () => Millis;
}

/**
 * Reads the runtime config the stack writes at deploy time (KEY.config(), attribute `config`), checks its
 * schema version and shape, and caches it in memory. Failures are ConfigUnavailableError and never cached.
 */
export class DynamoDbConfigSource implements ConfigSource {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly cacheMs: number;
  private readonly now: () => Millis;
  private cached: { readonly config: RuntimeConfig; readonly loadedAt: Millis } | undefined;
  private inFlight: Promise<RuntimeConfig> | undefined;

  constructor(options: DynamoDbConfigSourceOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.cacheMs = options.cacheMs ?? DEFAULT_CACHE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The cached config while it is younger than `cacheMs`; otherwise one consistent GetItem. */
  load(): Promise<RuntimeConfig> {
    if (this.cached !== undefined && this.now() - this.cached.loadedAt < this.cacheMs) {
      return Promise.resolve(this.cached.config);
    }
    // Concurrent callers after expiry share one read instead of each issuing their own.
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(): Promise<RuntimeConfig> {
    const where = `runtime config item (${describeKey()}) in table ${this.tableName}`;
    let item;
    try {
      ({ Item: item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: configKey(), ConsistentRead: true }),
      ));
    } catch (error) {
      throw new ConfigUnavailableError(`could not read the ${where} (${describeError(error)})`, {
        cause: error,
      });
    }
    if (item === undefined) {
      throw new ConfigUnavailableError(`the ${where} is missing: deploy the stack, which writes it`);
    }
    let json: string;
    try {
      json = configJson(item);
    } catch (error) {
      throw new ConfigUnavailableError(`the ${where} is unreadable: ${messageOf(error)}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (error) {
      throw new ConfigUnavailableError(`the ${where} is not valid JSON (${messageOf(error)})`, {
        cause: error,
      });
    }
    const problems = runtimeConfigProblems(parsed);
    if (problems.length > 0) {
      throw new ConfigUnavailableError(`the ${where} is invalid: ${problems.join('; ')}`);
    }
    const config = parsed as RuntimeConfig;
    this.cached = { config, loadedAt: this.now() };
    return config;
  }
}

/**
 * The JSON text of a config item: the gzip-compressed attribute, else the plain JSON string of items that
 * stacks wrote before compression (a deploy updates the functions before it rewrites the item).
 */
function configJson(item: Record<string, AttributeValue>): string {
  const compressed = item[RUNTIME_CONFIG_GZIP_ATTRIBUTE]?.B;
  if (compressed !== undefined) {
    try {
      return gunzipSync(compressed).toString('utf8');
    } catch (error) {
      throw new Error(`attribute "${RUNTIME_CONFIG_GZIP_ATTRIBUTE}" is not gzip data (${messageOf(error)})`, {
        cause: error,
      });
    }
  }
  const json = item[RUNTIME_CONFIG_ATTRIBUTE]?.S;
  if (json === undefined) {
    throw new Error(
      `it has neither a binary attribute "${RUNTIME_CONFIG_GZIP_ATTRIBUTE}" nor a string attribute "${RUNTIME_CONFIG_ATTRIBUTE}"`,
    );
  }
  return json;
}

/** The config writer's side of the item: what it writes is what DynamoDbConfigSource reads. */
export class DynamoDbRuntimeConfigWriter implements RuntimeConfigWriter {
  constructor(private readonly client: DynamoDBClient) {}

  write(tableName: string, config: RuntimeConfig): Promise<void> {
    return putRuntimeConfig(this.client, tableName, config);
  }
}

/**
 * Writes `config` as the runtime config item, exactly as the stack's config writer does at deploy time
 * (gzip-compressed JSON under KEY.config()). SDK errors propagate unchanged.
 */
export async function putRuntimeConfig(
  client: DynamoDBClient,
  tableName: string,
  config: RuntimeConfig,
): Promise<void> {
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...configKey(), [RUNTIME_CONFIG_GZIP_ATTRIBUTE]: { B: gzipSync(JSON.stringify(config)) } },
    }),
  );
}

function configKey(): Record<string, { S: string }> {
  const { pk, sk } = KEY.config();
  return { [TABLE.partitionKey]: { S: pk }, [TABLE.sortKey]: { S: sk } };
}

function describeKey(): string {
  const { pk, sk } = KEY.config();
  return `pk=${pk}, sk=${sk}`;
}

/** Each target type with the string fields it must carry. */
const TARGET_FIELDS = TARGET_IDENTITY_FIELDS;

const POLICY_MINUTES = [
  'cooldownMinutes',
  'bakeMinutes',
  'watchWindowMinutes',
  'approvalTimeoutMinutes',
] as const;

/**
 * The shape problems of a parsed runtime config, each prefixed with its JSON path. Deliberately shallow:
 * the stack validated the config in full before writing it; this catches a wrong or truncated item and a
 * Lambda running against a config of another schema version.
 */
export function runtimeConfigProblems(value: unknown): string[] {
  if (!isRecord(value)) return ['$: expected an object'];
  const problems: string[] = [];
  if (value.schemaVersion !== RUNTIME_CONFIG_SCHEMA_VERSION) {
    problems.push(
      `$.schemaVersion: expected ${RUNTIME_CONFIG_SCHEMA_VERSION}, got ${JSON.stringify(value.schemaVersion)} ` +
        '(the stack and the Lambda code come from different releases)',
    );
  }
  for (const field of ['account', 'region']) requireString(value, field, '$', problems);
  requireNonNegative(value, 'maxEventAgeMinutes', '$', problems);
  // Absent in items written before the field existed (RETENTION.auditDays applies then).
  if (value.auditRetentionDays !== undefined) {
    const problem =
      typeof value.auditRetentionDays === 'number'
        ? retentionDaysProblem(value.auditRetentionDays, 'table')
        : 'expected a number of days';
    if (problem)
      problems.push(`$.auditRetentionDays: ${problem}, got ${JSON.stringify(value.auditRetentionDays)}`);
  }
  if (!Array.isArray(value.targets)) {
    problems.push('$.targets: expected an array');
    return problems;
  }
  value.targets.forEach((target: unknown, index) => targetProblems(target, `$.targets[${index}]`, problems));
  // Absent in items written before groups existed.
  if (value.groups !== undefined) {
    if (!Array.isArray(value.groups)) problems.push('$.groups: expected an array');
    else value.groups.forEach((g: unknown, index) => groupProblems(g, `$.groups[${index}]`, problems));
  }
  return problems;
}

function groupProblems(group: unknown, path: string, problems: string[]): void {
  if (!isRecord(group)) {
    problems.push(`${path}: expected an object`);
    return;
  }
  requireString(group, 'id', path, problems);
  for (const field of ['targets', 'rollbackOrder']) {
    const list = group[field];
    if (field === 'rollbackOrder' && list === undefined) continue;
    if (!Array.isArray(list) || !list.every((id) => typeof id === 'string'))
      problems.push(`${path}.${field}: expected an array of target ids`);
  }
  requireNonNegative(group, 'releaseWindowMinutes', path, problems);
  if (!ON_MEMBER_FAILURE.some((v) => v === group.onMemberFailure))
    problems.push(
      `${path}.onMemberFailure: expected one of ${ON_MEMBER_FAILURE.join(', ')}, got ${JSON.stringify(group.onMemberFailure)}`,
    );
}

function targetProblems(target: unknown, path: string, problems: string[]): void {
  if (!isRecord(target)) {
    problems.push(`${path}: expected an object`);
    return;
  }
  requireString(target, 'id', path, problems);
  const type = target.type;
  const fields =
    typeof type === 'string' && Object.hasOwn(TARGET_FIELDS, type)
      ? TARGET_FIELDS[type as RuntimeTarget['type']]
      : undefined;
  if (fields === undefined) {
    problems.push(
      `${path}.type: expected one of ${Object.keys(TARGET_FIELDS).join(', ')}, got ${JSON.stringify(target.type)}`,
    );
  } else {
    for (const field of fields) requireString(target, field, path, problems);
  }
  if (!Array.isArray(target.alarms) || !target.alarms.every((alarm) => typeof alarm === 'string')) {
    problems.push(`${path}.alarms: expected an array of alarm names`);
  }
  const policy = target.policy;
  if (!isRecord(policy)) {
    problems.push(`${path}.policy: expected an object`);
    return;
  }
  if (!MODES.some((mode) => mode === policy.mode)) {
    problems.push(
      `${path}.policy.mode: expected one of ${MODES.join(', ')}, got ${JSON.stringify(policy.mode)}`,
    );
  }
  for (const field of POLICY_MINUTES) requireNonNegative(policy, field, `${path}.policy`, problems);
  if (!isRecord(policy.maxRollbacks)) {
    problems.push(`${path}.policy.maxRollbacks: expected an object`);
  } else {
    requireNonNegative(policy.maxRollbacks, 'count', `${path}.policy.maxRollbacks`, problems);
    requireNonNegative(policy.maxRollbacks, 'windowMinutes', `${path}.policy.maxRollbacks`, problems);
  }
}

function requireString(
  object: Record<string, unknown>,
  field: string,
  path: string,
  problems: string[],
): void {
  const value = object[field];
  if (typeof value !== 'string' || value === '') {
    problems.push(`${path}.${field}: expected a non-empty string, got ${JSON.stringify(value)}`);
  }
}

/** Durations and counts: a finite number, zero or more. */
function requireNonNegative(
  object: Record<string, unknown>,
  field: string,
  path: string,
  problems: string[],
): void {
  const value = object[field];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    problems.push(`${path}.${field}: expected a number >= 0, got ${JSON.stringify(value)}`);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
