import { MIN_COMPATIBLE_SCHEMA_TAG, RELEASE_TAG, SCHEMA_TAG } from '../contract';
import type { VersionFacts } from '../use-cases/ports';

/** A schema level: a whole number, as a tag value carries it (at most 9 digits, so it stays exact). */
const LEVEL = /^\d{1,9}$/;
/** A release id: 1-128 visible characters without spaces (what an ECS tag value and a description word hold). */
const RELEASE_ID = /^[^\s,;]{1,128}$/;

/**
 * The facts in a version's tags (`rollback-watchdog:schema`, `rollback-watchdog:min-compatible-schema`, and
 * `rollback-watchdog:release` for release groups). Never throws: a value that is not a whole number, a minimum
 * above the version's own schema, or an empty or over-long release id is reported in `problems` and ignored,
 * so the version counts as not declaring it.
 */
export function schemaFactsOf(tags: readonly { key?: string; value?: string }[]): VersionFacts {
  const problems: string[] = [];
  const level = (key: string): number | undefined => {
    const raw = tags.find((t) => t.key === key)?.value;
    if (raw === undefined) return undefined;
    const value = raw.trim();
    if (LEVEL.test(value)) return Number(value);
    problems.push(`${key} is ${JSON.stringify(raw.slice(0, 40))}, not a whole number >= 0: ignored`);
    return undefined;
  };
  const schema = level(SCHEMA_TAG);
  let minCompatibleSchema = level(MIN_COMPATIBLE_SCHEMA_TAG);
  if (schema !== undefined && minCompatibleSchema !== undefined && minCompatibleSchema > schema) {
    problems.push(
      `${MIN_COMPATIBLE_SCHEMA_TAG} ${minCompatibleSchema} is above ${SCHEMA_TAG} ${schema}: ignored (a version runs on its own schema)`,
    );
    minCompatibleSchema = undefined;
  }
  const rawRelease = tags.find((t) => t.key === RELEASE_TAG)?.value;
  const release = rawRelease?.trim();
  if (release !== undefined && !RELEASE_ID.test(release))
    problems.push(
      `${RELEASE_TAG} is ${JSON.stringify((rawRelease ?? '').slice(0, 40))}, not a release id of 1-128 characters without spaces: ignored`,
    );
  return {
    ...(schema !== undefined ? { schema } : {}),
    ...(minCompatibleSchema !== undefined ? { minCompatibleSchema } : {}),
    ...(release !== undefined && RELEASE_ID.test(release) ? { release } : {}),
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/** `rollback-watchdog:<name>=<value>` in free text: how a CodeDeploy deployment's description declares them. */
const DESCRIPTION_TAG = /(?:^|[\s,;])(rollback-watchdog:[a-z-]+)=([^\s,;]*)/g;

/**
 * The schema facts in a CodeDeploy deployment's description (`… rollback-watchdog:schema=8
 * rollback-watchdog:min-compatible-schema=7 …`: CodeDeploy revisions and deployments carry no tags). Undefined
 * when the description declares neither key.
 */
export function schemaFactsOfDescription(description: string | undefined): VersionFacts | undefined {
  if (description === undefined) return undefined;
  const tags = [...description.matchAll(DESCRIPTION_TAG)].map((m) => ({ key: m[1], value: m[2] ?? '' }));
  if (!tags.some((t) => t.key === SCHEMA_TAG || t.key === MIN_COMPATIBLE_SCHEMA_TAG || t.key === RELEASE_TAG))
    return undefined;
  return schemaFactsOf(tags);
}
