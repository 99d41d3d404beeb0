import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings } from './aws-clients';
import type { AssetReader } from '../use-cases/ports';

/** The config writer's S3 client, with the retry and timeout settings of every other client. */
export function createS3Client(): S3Client {
  return new S3Client(awsClientSettings());
}

/** Reads one object as UTF-8 text (the runtime config asset the stack uploaded). SDK errors propagate. */
export class S3ObjectReader implements AssetReader {
  constructor(private readonly client: S3Client) {}

  async readText(bucket: string, key: string): Promise<string> {
    const { Body } = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
    return Body.transformToString('utf8');
  }
}
