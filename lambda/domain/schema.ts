import type { LedgerEntry, Millis, SchemaFacts } from './model';

/**
 * The database schema gate (docs/decisions.md, "Before it acts"). A version may declare `schema`, the schema
 * level its migration brings the database to (or needs), and `minCompatibleSchema`, the oldest application
 * schema level that still runs correctly once its migration has run. The database's level is the highest
 * `schema` of any version the target has deployed; a rollback candidate is safe when its own `schema` is at
 * least the `minCompatibleSchema` of the version that brought the database to that level. Versions that
 * declare nothing are compatible: the gate is opt-in.
 */
export interface DatabaseSchema {
  readonly level: number;
  /** The first version deployed with that level: its migration is the one that ran. */
  readonly by: string;
  /** That version's `minCompatibleSchema`; absent when it declares none (then every version is compatible). */
  readonly minCompatible?: number;
}

/** The database's level as the ledger knows it, or undefined when no version declares a schema. */
export function databaseSchema(ledger: readonly LedgerEntry[]): DatabaseSchema | undefined {
  const declared = ledger.filter(
    (e): e is LedgerEntry & { schemaFacts: { schema: number } } => e.schemaFacts?.schema !== undefined,
  );
  if (declared.length === 0) return undefined;
  const level = Math.max(...declared.map((e) => e.schemaFacts.schema));
  const first = declared
    .filter((e) => e.schemaFacts.schema === level)
    .reduce((a, b) => ((b.startedAt ?? Infinity) < (a.startedAt ?? Infinity) ? b : a));
  const minCompatible = first.schemaFacts.minCompatibleSchema;
  return { level, by: first.version, ...(minCompatible !== undefined ? { minCompatible } : {}) };
}

/** Whether `entry` runs correctly on the database as it is. */
export function schemaSafe(entry: LedgerEntry, db: DatabaseSchema | undefined): boolean {
  const schema = entry.schemaFacts?.schema;
  if (db?.minCompatible === undefined || schema === undefined) return true;
  return schema >= db.minCompatible;
}

/** Why `entry` cannot run on the database, in one clause for a decision's detail. */
export function schemaConflict(entry: LedgerEntry, db: DatabaseSchema): string {
  return `${entry.version} runs on schema ${entry.schemaFacts?.schema ?? '?'}, but the database is at schema ${db.level} since the migration of ${db.by}, which runs correctly only with application schema ${db.minCompatible ?? db.level} or later`;
}

/** Ledger entries whose schema facts are still to be read, newest first, at most `limit`. */
export function versionsLackingSchemaFacts(ledger: readonly LedgerEntry[], limit: number): string[] {
  return ledger
    .filter((e) => e.schemaFacts === undefined)
    .slice(0, limit)
    .map((e) => e.version);
}

/** The ledger with what `version` declares recorded on its entry (unchanged when there is no such entry). */
export function withSchemaFacts(
  ledger: readonly LedgerEntry[],
  version: string,
  facts: Omit<SchemaFacts, 'readAt'>,
  now: Millis,
): readonly LedgerEntry[] {
  if (!ledger.some((e) => e.version === version && e.schemaFacts === undefined)) return ledger;
  return ledger.map((e) =>
    e.version === version && e.schemaFacts === undefined
      ? { ...e, schemaFacts: { ...facts, readAt: now } }
      : e,
  );
}
