import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3ObjectReader } from '../../../lambda/adapters/s3-object-reader';

describe('S3ObjectReader', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it('reads the object as UTF-8 text', async () => {
    s3.on(GetObjectCommand, { Bucket: 'assets', Key: 'abc.json' }).resolves({
      // The SDK's stream body, reduced to the one method the reader uses.
      Body: {
        transformToString: (encoding: string) =>
          Promise.resolve(encoding === 'utf8' ? '{"targets":["é"]}' : ''),
      } as never,
    });

    await expect(new S3ObjectReader(new S3Client({})).readText('assets', 'abc.json')).resolves.toBe(
      '{"targets":["é"]}',
    );
  });

  it('lets SDK errors through, for the writer to report', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    await expect(new S3ObjectReader(new S3Client({})).readText('assets', 'abc.json')).rejects.toThrow(
      'Access Denied',
    );
  });
});
