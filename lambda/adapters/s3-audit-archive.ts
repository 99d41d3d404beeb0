import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RetryableError } from '../use-cases/errors';
import type { AuditArchive } from '../use-cases/ports';
import { describeError } from './aws-errors';

export interface S3AuditArchiveOptions {
  /** Created with awsClientSettings() (createS3Client): the SDK's own retries come first. */
  readonly client: S3Client;
  readonly bucket: string;
  /**
   * Account that must own the bucket (ExpectedBucketOwner): a bucket of the same name in another account,
   * after the real one was deleted, is refused rather than written to.
   * @default - not checked
   */
  readonly expectedOwner?: string;
}

/** A write the SDK's retries could not complete; the exporter reports the item and the stream retries it. */
export class AuditExportWriteError extends RetryableError {}

/** The audit export bucket: one PutObject per item, JSON, into the bucket's default encryption. */
export class S3AuditArchive implements AuditArchive {
  constructor(private readonly options: S3AuditArchiveOptions) {}

  async put(key: string, body: string): Promise<void> {
    const { client, bucket, expectedOwner } = this.options;
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...(expectedOwner !== undefined ? { ExpectedBucketOwner: expectedOwner } : {}),
        }),
      );
    } catch (error) {
      throw new AuditExportWriteError(`could not write s3://${bucket}/${key} (${describeError(error)})`, {
        cause: error,
      });
    }
  }
}
