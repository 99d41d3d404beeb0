import { createHash, randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { KEY, REJECTED_SCOPE, RETENTION, TABLE, UNKNOWN_SCOPE, retentionDaysProblem } from '../contract';
import type { AlarmMark, Millis, Pause, TargetState } from '../domain';
import { StateStoreUnavailableError } from '../use-cases/errors';
import type { AuditEntry, LoadedTargets, StateStore } from '../use-cases/ports';
import { describeError } from './aws-errors';

export { putRuntimeConfig } from './dynamodb-config-source';

export interface DynamoDbStateStoreOptions {
  /** Wrapped in a DynamoDBDocumentClient; configure retries (`maxAttempts`, `retryMode`) on it. */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * Wall clock for `updatedAt` and the audit items' expiry. Decision times come from the entries themselves.
   * @default Date.now
   */
  readonly now?: () => Millis;
  /**
   * Days an audit item lives in the table: its TTL is the append's wall-clock time plus these days. A function
   * is asked on every append, so the runtime can answer from the deployed config (`auditRetentionDays`), which
   * it caches; when it throws, nothing is written and the error propagates.
   * @default RETENTION.auditDays
   */
  readonly auditRetentionDays?: number | (() => Promise<number>);
}

/**
 * The target item: the state map plus, beside it, what the console, the lock and the reconcile sweep need
 * without unpacking `state`. `targetId` and `revision` live only at the top level, never inside `state`.
 */
interface TargetItem {
  readonly pk: string;
  readonly sk: string;
  readonly targetId: string;
  readonly revision: number;
  readonly updatedAt: string;
  /** Copy of `state.rollback.leaseUntil`; absent when no rollback holds the lease. */
  readonly leaseUntil?: Millis;
  /**
   * A fresh random id per write. When the answer to a conditional write is lost and the SDK's retry is refused
   * because the first attempt did apply, this is how the store recognises the item as its own write.
   */
  readonly writer: string;
  readonly state: StoredState;
}

/**
 * The state map as stored. Alarm marks are a list of `{ name, ... }`, not a map keyed by alarm name: a name such
 * as `__proto__` cannot be a key of a plain object, and the SDK's marshaller refuses the map it would make.
 */
type StoredState = Omit<TargetState, 'targetId' | 'revision' | 'alarms'> & {
  readonly alarmMarks: ReadonlyArray<AlarmMark & { readonly name: string }>;
};

function toStored(state: Omit<TargetState, 'targetId' | 'revision'>): StoredState {
  const { alarms, ...rest } = state;
  return { ...rest, alarmMarks: Object.entries(alarms).map(([name, mark]) => ({ name, ...mark })) };
}

function fromStored(stored: Record<string, unknown>): Omit<TargetState, 'targetId' | 'revision'> {
  const { alarmMarks, alarms: legacy, ...rest } = stored;
  const alarms: Record<string, AlarmMark> = Array.isArray(alarmMarks)
    ? Object.fromEntries(
        (alarmMarks as Array<AlarmMark & { name: string }>).map(({ name, ...mark }) => [name, mark]),
      )
    : isRecord(legacy)
      ? Object.fromEntries(Object.entries(legacy as Record<string, AlarmMark>))
      : {};
  return { ...(rest as unknown as Omit<TargetState, 'targetId' | 'revision' | 'alarms'>), alarms };
}

interface AuditItem {
  readonly pk: string;
  readonly sk: string;
  readonly type: AuditEntry['type'];
  readonly entry: AuditEntry;
  /** Epoch seconds (the table's TTL attribute, TABLE.ttlAttribute). */
  readonly expiresAt: number;
}

/** BatchGetItem takes at most 100 keys; the first request also carries the global pause key. */
const TARGETS_PER_BATCH = 99;
const BATCH_GET_ATTEMPTS = 5;
const BATCH_GET_BACKOFF_MS = 20;
const SECONDS_PER_DAY = 86_400;

/**
 * StateStore on the single DynamoDB table (its key schema is `KEY`, lambda/contract/table.ts). Every target
 * is one item whose `revision` is the optimistic lock, so a claim is a single conditional PutItem: no
 * transactions needed. Every failure other than a lost race surfaces as StateStoreUnavailableError, so
 * callers fail closed.
 */
export class DynamoDbStateStore implements StateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly now: () => Millis;
  private readonly auditRetentionDays: () => Promise<number>;

  constructor(options: DynamoDbStateStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
    const retention = options.auditRetentionDays ?? RETENTION.auditDays;
    this.auditRetentionDays = typeof retention === 'number' ? () => Promise.resolve(retention) : retention;
  }

  /**
   * Reads every target item and the global pause switch with consistent reads: one BatchGetItem for up to
   * 99 targets, parallel batches beyond that. Keys DynamoDB leaves unprocessed are retried a few times.
   */
  async loadTargets(targetIds: readonly string[]): Promise<LoadedTargets> {
    const ids = [...new Set(targetIds)];
    const idByKey = new Map(ids.map((id) => [itemKey(KEY.target(id)), id]));
    const pauseKey = KEY.globalPause();
    const batches: Array<Array<{ pk: string; sk: string }>> = [[pauseKey]];
    ids.forEach((id, index) => {
      if (index > 0 && index % TARGETS_PER_BATCH === 0) batches.push([]);
      batches[batches.length - 1].push(KEY.target(id));
    });

    const items = (await Promise.all(batches.map((keys) => this.batchGet(keys)))).flat();
    const targets = new Map<string, TargetState>();
    let globalPause: Pause | undefined;
    for (const item of items) {
      const key = itemKey(item);
      if (key === itemKey(pauseKey)) {
        globalPause = toPause(item);
        continue;
      }
      const id = idByKey.get(key);
      if (id !== undefined) targets.set(id, toTargetState(id, item));
    }
    return { targets, globalPause };
  }

  /**
   * The claim: writes `next` as revision `expectedRevision + 1` only if the stored item is still at
   * `expectedRevision` (absent when 0). A lost race is the value `'conflict'`, not an error.
   */
  async saveTarget(next: TargetState, expectedRevision: number): Promise<TargetState | 'conflict'> {
    if (!Number.isInteger(expectedRevision) || expectedRevision < 0) {
      throw new RangeError(`expectedRevision must be a non-negative integer, got ${expectedRevision}`);
    }
    const { targetId, revision: _previous, ...state } = next;
    const revision = expectedRevision + 1;
    const writer = randomUUID();
    const item: TargetItem = {
      ...KEY.target(targetId),
      targetId,
      revision,
      updatedAt: new Date(this.now()).toISOString(),
      leaseUntil: next.rollback?.leaseUntil,
      writer,
      state: toStored(state),
    };
    checkItemSize(item, `target ${targetId}`);
    const condition: Pick<
      PutCommandInput,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      expectedRevision === 0
        ? {
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          }
        : {
            ConditionExpression: '#revision = :expected',
            ExpressionAttributeNames: { '#revision': 'revision' },
            ExpressionAttributeValues: { ':expected': expectedRevision },
          };
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
    } catch (error) {
      if (!isConditionalCheckFailed(error)) {
        throw this.unavailable(`save target ${targetId} (expected revision ${expectedRevision})`, error);
      }
      // A refusal can answer the SDK's retry of our own write whose first answer was lost (a timeout, a reset
      // connection): then the item holds exactly what we wrote. Only a write by someone else is a lost race.
      if (!(await this.isOwnWrite(targetId, revision, writer))) return 'conflict';
    }
    return { ...next, revision };
  }

  private async isOwnWrite(targetId: string, revision: number, writer: string): Promise<boolean> {
    const out = await this.call(`re-read target ${targetId} after a refused write`, () =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: KEY.target(targetId),
          ConsistentRead: true,
          ProjectionExpression: '#revision, #writer',
          ExpressionAttributeNames: { '#revision': 'revision', '#writer': 'writer' },
        }),
      ),
    );
    const found = out?.Item;
    return found?.revision === revision && found.writer === writer;
  }

  /**
   * Writes one audit item keyed by scope, time and a deterministic id, only if it is not there yet: a
   * retried append of the same entry is a no-op rather than a duplicate.
   */
  async appendAudit(entry: AuditEntry): Promise<void> {
    const { scope, id } = auditAddress(entry);
    const days = await this.auditRetentionDays();
    // A wrong TTL would delete the record early (or never): refuse to write rather than guess.
    const problem = retentionDaysProblem(days, 'table');
    if (problem) throw new RangeError(`audit retention ${String(days)}: ${problem}`);
    const item: AuditItem = {
      ...KEY.audit(scope, new Date(entry.at).toISOString(), id),
      type: entry.type,
      entry,
      [TABLE.ttlAttribute]: Math.floor(this.now() / 1000) + days * SECONDS_PER_DAY,
    };
    checkItemSize(item, `${entry.type} audit entry of ${scope}`);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return;
      throw this.unavailable(`append ${entry.type} audit entry to ${scope}`, error);
    }
  }

  /**
   * Entries of one scope, oldest first, from `sinceMs` (inclusive) when given, at most `limit` when given
   * (otherwise every page is read).
   */
  async listAudit(
    scope: string,
    options: { sinceMs?: Millis; limit?: number; newestFirst?: boolean } = {},
  ): Promise<AuditEntry[]> {
    const { sinceMs, limit, newestFirst = false } = options;
    const entries: AuditEntry[] = [];
    if (limit !== undefined && limit <= 0) return entries;
    const since = sinceMs === undefined ? undefined : new Date(sinceMs).toISOString();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call(`list audit of ${scope}`, () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: since === undefined ? '#pk = :pk' : '#pk = :pk AND #sk >= :since',
            ExpressionAttributeNames: {
              '#pk': TABLE.partitionKey,
              ...(since === undefined ? {} : { '#sk': TABLE.sortKey }),
            },
            ExpressionAttributeValues: {
              ':pk': KEY.auditPartition(scope),
              ...(since === undefined ? {} : { ':since': since }),
            },
            ScanIndexForward: !newestFirst,
            ConsistentRead: true,
            Limit: limit === undefined ? undefined : limit - entries.length,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) entries.push(toAuditEntry(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && (limit === undefined || entries.length < limit));
    return entries;
  }

  /** The watchdog-wide pause switch: one item, written or deleted (operators only, never contended). */
  async setGlobalPause(pause: Pause | undefined): Promise<void> {
    const key = KEY.globalPause();
    await this.call(pause ? 'pause the watchdog' : 'resume the watchdog', () =>
      pause
        ? this.doc.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...key, at: pause.at, by: pause.by, reason: pause.reason },
            }),
          )
        : this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: key })),
    );
  }

  private async batchGet(
    keys: ReadonlyArray<{ pk: string; sk: string }>,
  ): Promise<Array<Record<string, unknown>>> {
    const found: Array<Record<string, unknown>> = [];
    let pending: ReadonlyArray<Record<string, unknown>> = keys;
    for (let attempt = 1; ; attempt += 1) {
      const page = await this.call('load targets', () =>
        this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: [...pending], ConsistentRead: true } },
          }),
        ),
      );
      found.push(...(page.Responses?.[this.tableName] ?? []));
      const unprocessed = page.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (unprocessed.length === 0) return found;
      if (attempt >= BATCH_GET_ATTEMPTS) {
        throw new StateStoreUnavailableError(
          `DynamoDB left ${unprocessed.length} of ${keys.length} keys unprocessed in table ${this.tableName} ` +
            `after ${attempt} BatchGetItem attempts (throttled)`,
        );
      }
      pending = unprocessed;
      // Full jitter: concurrent invocations throttled together should not retry in lockstep.
      await sleep(Math.random() * BATCH_GET_BACKOFF_MS * 2 ** attempt);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.unavailable(operation, error);
    }
  }

  private unavailable(operation: string, cause: unknown): StateStoreUnavailableError {
    return new StateStoreUnavailableError(
      `DynamoDB could not ${operation} in table ${this.tableName} (${describeError(cause)})`,
      { cause },
    );
  }
}

/**
 * DynamoDB refuses items over 400 KB. The watchdog bounds what it stores (docs/reliability.md, "bounded input"),
 * so an item near the limit is a bug: refuse it here, clearly and before the write, rather than let DynamoDB's
 * ValidationException read like an outage. Attribute names count towards the size as well as values.
 */
export const MAX_ITEM_BYTES = 350 * 1024;

export class ItemTooLargeError extends Error {
  constructor(what: string, bytes: number) {
    super(
      `${what} would be ${bytes} bytes, over the watchdog's limit of ${MAX_ITEM_BYTES} bytes per item ` +
        `(DynamoDB's own is 400 KB); nothing was written`,
    );
    this.name = 'ItemTooLargeError';
  }
}

function checkItemSize(item: object, what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(item), 'utf8');
  if (bytes > MAX_ITEM_BYTES) throw new ItemTooLargeError(what, bytes);
}

function isConditionalCheckFailed(error: unknown): boolean {
  // The name check also covers an exception class from a second copy of the SDK in the bundle.
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

function itemKey(item: Record<string, unknown>): string {
  return JSON.stringify([item[TABLE.partitionKey], item[TABLE.sortKey]]);
}

function toTargetState(targetId: string, item: Record<string, unknown>): TargetState {
  const { revision, state } = item;
  if (typeof revision !== 'number' || !isRecord(state)) {
    throw new StateStoreUnavailableError(
      `target item of ${targetId} is malformed: expected a numeric revision and a state map`,
    );
  }
  // The top-level attributes are authoritative: they are what the condition expression checks.
  return { ...fromStored(state), targetId, revision };
}

function toPause(item: Record<string, unknown>): Pause {
  const { at, by, reason } = item;
  // An unreadable pause switch must not read as "not paused".
  if (typeof at !== 'number' || typeof by !== 'string' || typeof reason !== 'string') {
    throw new StateStoreUnavailableError(
      'global pause item is malformed: expected at (number), by (string) and reason (string)',
    );
  }
  return { at, by, reason };
}

function toAuditEntry(item: Record<string, unknown>): AuditEntry {
  const { entry } = item;
  if (!isRecord(entry) || typeof entry.type !== 'string') {
    throw new StateStoreUnavailableError(
      `audit item ${String(item[TABLE.partitionKey])} ${String(item[TABLE.sortKey])} has no entry map`,
    );
  }
  return entry as unknown as AuditEntry;
}

/** Where an entry lives and its id within that millisecond; the same entry always gets the same address. */
export function auditAddress(entry: AuditEntry): { scope: string; id: string } {
  switch (entry.type) {
    case 'decision': {
      const { decision } = entry;
      return {
        scope: decision.reason === 'unknown-alarm' ? UNKNOWN_SCOPE : decision.target,
        id: decision.id,
      };
    }
    case 'rejected':
      return {
        scope: REJECTED_SCOPE,
        id: deterministicId(entry.type, entry.requestId, entry.eventId ?? '', String(entry.at)),
      };
    case 'rollback-result':
      return { scope: entry.target, id: deterministicId(entry.type, entry.decisionId, entry.result) };
    case 'operator':
      return {
        scope: entry.target,
        id: deterministicId(entry.type, entry.requestId, entry.command, entry.target),
      };
  }
}

function deterministicId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
