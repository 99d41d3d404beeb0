/**
 * Audit retention and the optional export of audit items to S3 (README: Security → Audit retention). Shared by
 * the config schema, the construct's validation and the runtime.
 */

/**
 * How long an audit item may be kept in the state table (`auditRetentionDays`, whole days). At least a day, so
 * that an incident can still be looked into the next morning; at most ten years, which covers the longest
 * common record-keeping rules: data kept longer belongs in S3 (`auditExport`), where it costs a fraction of
 * DynamoDB storage. The default is RETENTION.auditDays.
 */
export const AUDIT_RETENTION_LIMITS = { minDays: 1, maxDays: 3650 } as const;

/** Retention of the exported objects in the bucket the watchdog creates, unless `retentionDays` says otherwise. */
export const DEFAULT_AUDIT_EXPORT_RETENTION_DAYS = 365;

/** Key prefix of the exported objects, unless `prefix` says otherwise. */
export const DEFAULT_AUDIT_EXPORT_PREFIX = 'audit/';

/** Longest export prefix: object keys are at most 1,024 bytes, and the rest of the key needs room. */
export const AUDIT_EXPORT_PREFIX_MAX = 512;

/**
 * One or more path segments, each ending in "/". Only S3's safe characters: no "*" or "?", which would widen
 * the exporter's IAM grant (`<bucket>/<prefix>*`), and no empty segment.
 */
const PREFIX_PATTERN = /^([A-Za-z0-9!_.'()-]+\/)+$/;

/** Why `prefix` cannot be the export's key prefix, or undefined when it can. */
export function auditExportPrefixProblem(prefix: string): string | undefined {
  if (prefix.length > AUDIT_EXPORT_PREFIX_MAX)
    return `must be a key prefix of at most ${AUDIT_EXPORT_PREFIX_MAX} characters`;
  if (!PREFIX_PATTERN.test(prefix))
    return (
      'must be a key prefix such as "audit/" or "watchdog/prod/": segments of letters, digits and ' +
      `!_.'()- each ending in "/", no leading "/" (no "*" or "?": the exporter may write under the prefix only)`
    );
  return undefined;
}

/**
 * The rule for a retention in days, as problems state it: of the audit items in the state table, or of the
 * exported objects in the bucket the watchdog creates.
 */
export function retentionDaysRule(of: 'table' | 'export'): string {
  const { minDays, maxDays } = AUDIT_RETENTION_LIMITS;
  const why =
    of === 'table'
      ? 'at least a day so that an incident can be looked into, at most ten years (keep records longer than ' +
        'that in S3 with auditExport, where they cost far less than in DynamoDB)'
      : 'at least a day, at most ten years (longer is almost always days mistaken for another unit; a bucket of ' +
        'your own, with lifecycle rules of its own, can keep them longer)';
  return `must be a whole number of days from ${minDays} to ${maxDays}: ${why}`;
}

/** retentionDaysRule(of) when `days` breaks it, else undefined. */
export function retentionDaysProblem(days: number, of: 'table' | 'export'): string | undefined {
  const { minDays, maxDays } = AUDIT_RETENTION_LIMITS;
  return Number.isInteger(days) && days >= minDays && days <= maxDays ? undefined : retentionDaysRule(of);
}

/** 12-digit AWS account ids. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** ARNs of KMS keys (not aliases: IAM grants name the key). */
export const KMS_KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
