/**
 * The deploy-time config writer (lib/ creates it, lambda/handlers/on-config-write.ts runs it). The stack
 * ships the resolved RuntimeConfig as an S3 asset instead of inlining it in the template: a config of 1,000
 * targets is about 390 KB of JSON, more than a third of CloudFormation's 1 MB template limit.
 *
 * Values CloudFormation only knows at deploy time (the account, the region, names of resources created in
 * the same stack) cannot be in the asset: each one is replaced by a marker, CONFIG_TOKEN_MARKER(i), and
 * travels as element i of the custom resource's `Substitutions` property, which CloudFormation resolves.
 */

/** CloudFormation resource type of the custom resource that writes the runtime config item. */
export const CONFIG_WRITER_RESOURCE_TYPE = 'Custom::WatchdogRuntimeConfig';

/** Properties of the custom resource (besides ServiceToken), as the writer receives them. */
export const CONFIG_WRITER_PROPERTY = {
  /** Bucket of the config asset. */
  bucket: 'AssetBucket',
  /** Object key of the config asset (its content hash: a new config is a new key, hence an update). */
  key: 'AssetKey',
  /** The state table the item goes to. */
  tableName: 'TableName',
  /** The deploy-time values the markers in the asset stand for, in marker order. */
  substitutions: 'Substitutions',
} as const;

const MARKER_EDGE = '\u0000';

/**
 * A whole JSON string value of the asset that stands for `Substitutions[index]`. NUL cannot occur in any
 * AWS name, so a marker never collides with a real value.
 */
export const CONFIG_TOKEN_MARKER = (index: number): string => `${MARKER_EDGE}${index}${MARKER_EDGE}`;

/** The index a marker stands for, or undefined for any other string. */
export function configTokenIndex(value: string): number | undefined {
  if (value.length < 3 || !value.startsWith(MARKER_EDGE) || !value.endsWith(MARKER_EDGE)) return undefined;
  const digits = value.slice(1, -1);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}
