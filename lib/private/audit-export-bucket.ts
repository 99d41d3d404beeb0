import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * Days a noncurrent version (an object overwritten, deleted or expired) stays recoverable before lifecycle
 * removes it for good: long enough to undo a mistaken delete found after a weekend, short enough that audit data
 * leaves the bucket soon after its retention.
 */
export const NONCURRENT_VERSION_DAYS = 7;

/** Key prefix of the export bucket's server access logs in the access-log bucket. */
export const ACCESS_LOG_PREFIX = 'audit-export/';

export interface AuditExportBucketProps {
  /** Days each exported object is kept: the current version's lifecycle expiration. */
  readonly retentionDays: number;
}

/**
 * The bucket the audit exporter writes to when the watchdog creates it: SSE-S3, all public access blocked, TLS
 * only (1.2 or later), ACLs disabled, versioned, retained when the stack is deleted (like the state table), and
 * expiring objects after `retentionDays`. Its server access logs go to a second bucket with the same settings
 * and retention, so reads of the audit data are on record too.
 */
export class AuditExportBucket extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AuditExportBucketProps) {
    super(scope, id);
    // Log delivery by bucket policy (limited to the export bucket, from this account), not by the
    // LogDeliveryWrite ACL: ACLs stay disabled whatever feature flags the app sets.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const expiration = Duration.days(props.retentionDays);
    const secure = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      lifecycleRules: [
        { id: 'ExpireAccessLogs', expiration, abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledge(this.accessLogsBucket, {
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the server access logs of the audit export bucket; logging its own access ' +
        'would only record the log deliveries.',
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...secure,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: ACCESS_LOG_PREFIX,
      lifecycleRules: [
        {
          id: 'ExpireAuditObjects',
          expiration,
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        // S3 refuses this in the same rule as a current-version expiration.
        { id: 'RemoveExpiredDeleteMarkers', expiredObjectDeleteMarker: true },
      ],
    });
  }
}
