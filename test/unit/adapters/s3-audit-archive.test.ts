import { S3Client } from '@aws-sdk/client-s3';
import type { HttpRequest } from '@smithy/types';
import { S3AuditArchive } from '../../../lambda/adapters/s3-audit-archive';

/**
 * The request the archive sends, as S3 receives it (a stand-in HTTP handler instead of the network): a bucket
 * with S3 Object Lock refuses a PutObject without Content-MD5 or an x-amz-checksum-* header (README: Security
 * → Audit retention), so the checksum the SDK adds by default must stay on.
 */
it('sends each object with a CRC32 checksum and the expected bucket owner', async () => {
  const requests: HttpRequest[] = [];
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: {
      handle: (request: HttpRequest) => {
        requests.push(request);
        return Promise.resolve({ response: { statusCode: 200, headers: {}, body: undefined } });
      },
    },
  });
  const archive = new S3AuditArchive({ client, bucket: 'audit-bucket', expectedOwner: '210987654321' });

  await archive.put('audit/2026/03/01/checkout/x.json', '{"pk":"AUDIT#checkout"}\n');

  expect(requests).toHaveLength(1);
  const { headers, method, path } = requests[0];
  expect(method).toBe('PUT');
  expect(path).toBe('/audit/2026/03/01/checkout/x.json');
  expect(headers['x-amz-checksum-crc32']).toMatch(/^[A-Za-z0-9+/]{6}==$/);
  expect(headers['x-amz-expected-bucket-owner']).toBe('210987654321');
  expect(headers['content-type']).toBe('application/json');
  client.destroy();
});
