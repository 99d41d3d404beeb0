import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../../lambda/contract';
import { AuditExportWriteError, S3AuditArchive } from '../../../lambda/adapters/s3-audit-archive';
import { RetryableError } from '../../../lambda/use-cases/errors';

/**
 * Issue 14: the audit exporter's module as Lambda loads it (environment, boundary, use case, S3 adapter), with
 * S3 mocked at the SDK: what it writes, and that a failed PutObject comes back as a batch item failure.
 */
const s3 = mockClient(S3Client);
let handler: (event: unknown) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

const record = (sequenceNumber: string, id: string) => ({
  eventID: `e-${sequenceNumber}`,
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  awsRegion: 'us-east-1',
  dynamodb: {
    ApproximateCreationDateTime: 1772359262,
    Keys: { pk: { S: 'AUDIT#checkout' }, sk: { S: `2026-03-01T10:01:02.345Z#${id}` } },
    NewImage: {
      pk: { S: 'AUDIT#checkout' },
      sk: { S: `2026-03-01T10:01:02.345Z#${id}` },
      type: { S: 'operator' },
      entry: { M: { type: { S: 'operator' }, by: { S: 'arn:aws:iam::123456789012:role/oncall' } } },
      expiresAt: { N: '1780135262' },
    },
    SequenceNumber: sequenceNumber,
    StreamViewType: 'NEW_IMAGE',
  },
});

beforeAll(() => {
  Object.assign(process.env, {
    [ENV.auditExportBucket]: 'audit-bucket',
    [ENV.auditExportPrefix]: 'watchdog/prod/',
    [ENV.auditExportBucketOwner]: '210987654321',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // Required only now: the module reads its settings from the environment at load time, as in Lambda.
  ({ handler } = require('../../../lambda/handlers/on-audit-export'));
});

afterEach(() => s3.reset());
afterAll(() => s3.restore());

it('writes each audit item under the prefix, as JSON, insisting on the bucket owner', async () => {
  s3.on(PutObjectCommand).resolves({});

  const response = await handler({ Records: [record('11', 'a'), record('12', 'b')] });

  expect(response).toEqual({ batchItemFailures: [] });
  expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 2);
  const input = s3.commandCalls(PutObjectCommand)[0].args[0].input;
  expect(input).toEqual({
    Bucket: 'audit-bucket',
    Key: 'watchdog/prod/2026/03/01/checkout/20260301T100102.345Z-a.json',
    Body: expect.any(String),
    ContentType: 'application/json',
    ExpectedBucketOwner: '210987654321',
  });
  expect(JSON.parse(input.Body as string)).toMatchObject({
    pk: 'AUDIT#checkout',
    type: 'operator',
    entry: { by: 'arn:aws:iam::123456789012:role/oncall' },
    expiresAt: 1780135262,
  });
});

it('returns a failed PutObject as a batch item failure, so Lambda retries the batch from that record', async () => {
  s3.on(PutObjectCommand).resolves({});
  s3.on(PutObjectCommand, { Key: 'watchdog/prod/2026/03/01/checkout/20260301T100102.345Z-b.json' }).rejects(
    new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }),
  );

  const response = await handler({ Records: [record('21', 'a'), record('22', 'b'), record('23', 'c')] });

  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '22' }] });
  expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 3);
});

it('fails the invocation on an event that is not a DynamoDB stream event', async () => {
  await expect(handler({ source: 'aws.events' })).rejects.toThrow(TypeError);
  expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 0);
});

describe('S3AuditArchive', () => {
  it('wraps a failed write in a retryable error naming the object and the cause', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } }),
    );
    const archive = new S3AuditArchive({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' });

    const error: unknown = await archive.put('audit/x.json', '{}').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuditExportWriteError);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/^could not write s3:\/\/b\/audit\/x\.json \(SlowDown/);
    // Without an expected owner the request carries none.
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input.ExpectedBucketOwner).toBeUndefined();
  });
});

it('refuses to start without its bucket or prefix, naming the variable', () => {
  const { auditExportDepsFromEnvironment } = require('../../../lambda/handlers/on-audit-export') as {
    auditExportDepsFromEnvironment: (env: NodeJS.ProcessEnv) => unknown;
  };
  expect(() => auditExportDepsFromEnvironment({ [ENV.auditExportPrefix]: 'audit/' })).toThrow(
    `environment variable ${ENV.auditExportBucket} is not set`,
  );
  expect(() => auditExportDepsFromEnvironment({ [ENV.auditExportBucket]: 'b' })).toThrow(
    `environment variable ${ENV.auditExportPrefix} is not set`,
  );
});
