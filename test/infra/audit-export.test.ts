import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parseWatchdogConfig } from '../../lambda/boundary/config-schema';
import { ENV, METRIC, METRICS_NAMESPACE, RETENTION, type WatchdogConfig } from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog, WatchdogStack, type RollbackWatchdogProps } from '../../lib';
import { NONCURRENT_VERSION_DAYS } from '../../lib/private/audit-export-bucket';
import {
  allStatements,
  appWithoutBundling,
  asList,
  evaluate,
  logicalIdOf,
  roleStatements,
  writtenConfig,
  type Statement,
  nagFindings,
} from './helpers';

/** Issue 14: audit retention (the table's TTL) and the optional export of audit items to S3. */

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }>;

const TARGETS = [
  { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'checkout', alarms: ['checkout-5xx'] },
];

function config(extra: Record<string, unknown> = {}): WatchdogConfig {
  const result = parseWatchdogConfig({ targets: TARGETS, ...extra });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config;
}

function stackOf(extra: Record<string, unknown> = {}) {
  const stack = new WatchdogStack(appWithoutBundling(), 'RollbackWatchdog', { config: config(extra) });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Resources };
}

const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

const actions = (s: Statement) => asList(s.Action);
const resourcesOf = (s: Statement) => asList(s.Resource).map((r) => evaluate(r));

describe('auditRetentionDays', () => {
  it('is written into the runtime config the handlers read (90 by default), and replaces warm containers', () => {
    const plain = stackOf();
    const kept = stackOf({ defaults: { auditRetentionDays: 2555 } });

    expect(writtenConfig(plain.stack, plain.template).auditRetentionDays).toBe(RETENTION.auditDays);
    expect(writtenConfig(kept.stack, kept.template).auditRetentionDays).toBe(2555);
    // The config hash on every handler changes with it: containers that cached the old config are replaced.
    const version = (t: Template, id: string) =>
      (t.toJSON().Resources as Resources)[id].Properties.Environment.Variables[ENV.configVersion];
    const alarmHandler = logicalIdOf(plain.stack, plain.stack.watchdog.alarmHandler);
    expect(version(kept.template, alarmHandler)).not.toEqual(version(plain.template, alarmHandler));
  });

  it('adds no resource and no stream: without an export the template only differs in the config', () => {
    const { resources } = stackOf({ defaults: { auditRetentionDays: 400 } });
    const [, table] = ofType(resources, 'AWS::DynamoDB::Table')[0];
    expect(table.Properties.StreamSpecification).toBeUndefined();
    expect(ofType(resources, 'AWS::S3::Bucket')).toEqual([]);
    expect(ofType(resources, 'AWS::Lambda::EventSourceMapping')).toEqual([]);
  });
});

describe('auditExport to a bucket the stack creates', () => {
  const { stack, template, resources } = stackOf({ auditExport: { retentionDays: 730 } });
  const watchdog = stack.watchdog;
  const exporterId = logicalIdOf(stack, watchdog.auditExporter!);
  const bucketId = logicalIdOf(stack, watchdog.auditExportBucket as s3.Bucket);
  const tableId = logicalIdOf(stack, watchdog.stateTable);
  const queueArn = `<${logicalIdOf(stack, watchdog.deadLetterQueue)}.Arn>`;
  const buckets = ofType(resources, 'AWS::S3::Bucket');
  const logsId = buckets.map(([id]) => id).find((id) => id !== bucketId)!;

  it('creates the export bucket and its access-log bucket, encrypted, private, TLS only, and retained', () => {
    expect(buckets).toHaveLength(2);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      expect(bucket.Properties.AccessControl).toBeUndefined();
      expect(bucket.DeletionPolicy).toBe('Retain');
      const policy = ofType(resources, 'AWS::S3::BucketPolicy').find(
        ([, p]) => p.Properties.Bucket.Ref === id,
      );
      const denies = (policy![1].Properties.PolicyDocument.Statement as Statement[]).filter(
        (s) => s.Effect === 'Deny',
      );
      expect(denies.map((s) => s.Condition)).toEqual([
        { Bool: { 'aws:SecureTransport': 'false' } },
        { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      ]);
    }
  });

  it('versions the export bucket and expires objects after the export retention, noncurrent versions a week later', () => {
    const bucket = resources[bucketId].Properties;
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'ExpireAuditObjects',
        Status: 'Enabled',
        ExpirationInDays: 730,
        NoncurrentVersionExpiration: { NoncurrentDays: NONCURRENT_VERSION_DAYS },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
      },
      { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
    ]);
    expect(resources[logsId].Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Id: 'ExpireAccessLogs', ExpirationInDays: 730 }),
    ]);
  });

  it('logs every access to the export bucket, delivered by bucket policy from that bucket only', () => {
    expect(resources[bucketId].Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'audit-export/',
    });
    const delivery = allStatements(template).filter(({ statement }) =>
      JSON.stringify(statement.Principal ?? '').includes('logging.s3.amazonaws.com'),
    );
    expect(delivery).toHaveLength(1);
    expect(delivery[0].statement).toMatchObject({
      Effect: 'Allow',
      Action: 's3:PutObject',
      Condition: {
        ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
    expect(resourcesOf(delivery[0].statement)).toEqual([`<${logsId}.Arn>/audit-export/*`]);
  });

  it('turns the table’s stream on (new images) and maps it to the exporter, filtered to inserted audit items', () => {
    expect(resources[tableId].Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0][1].Properties;
    expect(mapping).toMatchObject({
      FunctionName: { Ref: exporterId },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 12 * 3600,
    });
    // Retried until the record is 12 hours old, well inside the stream's 24 hours, then dead-lettered.
    expect(mapping.MaximumRetryAttempts).toBeUndefined();
    expect(evaluate(mapping.DestinationConfig.OnFailure.Destination)).toBe(queueArn);
    const filters = mapping.FilterCriteria.Filters as Array<{ Pattern: string }>;
    expect(filters.map((f) => JSON.parse(f.Pattern) as unknown)).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { pk: { S: [{ prefix: 'AUDIT#' }] } } } },
    ]);
  });

  it('the exporter may PutObject under its prefix, read the stream and dead-letter: nothing else', () => {
    const statements = roleStatements(template, exporterId);
    const s3Statements = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3Statements).toHaveLength(1);
    expect(actions(s3Statements[0])).toEqual(['s3:PutObject']);
    expect(resourcesOf(s3Statements[0])).toEqual([`<${bucketId}.Arn>/audit/*`]);

    const dynamo = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actions).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    for (const s of dynamo) {
      if (actions(s).includes('dynamodb:ListStreams')) expect(s.Resource).toBe('*');
      else expect(resourcesOf(s)).toEqual([`<${tableId}.StreamArn>`]);
    }
    const sqs = statements.filter((s) => actions(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap(resourcesOf)).toEqual([queueArn]);
    const other = statements.filter((s) => !actions(s).some((a) => /^(s3|dynamodb|sqs|logs|xray):/.test(a)));
    expect(other).toEqual([]);
  });

  it('no other role may touch the export bucket', () => {
    const granting = allStatements(template).filter(
      ({ statement }) =>
        statement.Effect === 'Allow' && JSON.stringify(statement.Resource ?? '').includes(bucketId),
    );
    expect(granting.map(({ resource }) => resource)).toEqual([
      expect.stringMatching(/^WatchdogAuditExporterRoleDefaultPolicy/),
    ]);
  });

  it('tells the exporter its bucket, prefix and the owning account, and never invokes it asynchronously', () => {
    expect(resources[exporterId].Properties.Environment.Variables).toMatchObject({
      [ENV.auditExportBucket]: { Ref: bucketId },
      [ENV.auditExportPrefix]: 'audit/',
      [ENV.auditExportBucketOwner]: { Ref: 'AWS::AccountId' },
    });
    const invokeConfigs = ofType(resources, 'AWS::Lambda::EventInvokeConfig').map(
      ([, r]) => r.Properties.FunctionName.Ref,
    );
    expect(invokeConfigs).not.toContain(exporterId);
  });

  it('alarms on the exporter’s errors, throttles, lag and failed writes, each notifying the topic', () => {
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    const topicRef = { Ref: logicalIdOf(stack, watchdog.notificationTopic) };
    const onExporter = alarms.filter((a) => a.Dimensions?.[0]?.Value?.Ref === exporterId);
    expect(onExporter.map((a) => a.MetricName).sort()).toEqual(['Errors', 'IteratorAge', 'Throttles']);
    expect(onExporter.find((a) => a.MetricName === 'IteratorAge')).toMatchObject({
      Statistic: 'Maximum',
      Threshold: 3_600_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    const failures = alarms.filter(
      (a) => a.Namespace === METRICS_NAMESPACE && a.MetricName === METRIC.auditExportFailures,
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ Statistic: 'Sum', Threshold: 0 });
    for (const a of [...onExporter, ...failures]) expect(a.AlarmActions).toEqual([topicRef]);
  });

  it('cdk-nag AwsSolutions and Serverless: no finding left', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('auditExport to a bucket of your own (config file: bucketName, bucketOwner, kmsKeyArn, prefix)', () => {
  const key = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const { stack, template, resources } = stackOf({
    auditExport: {
      bucketName: 'central-audit',
      bucketOwner: '210987654321',
      kmsKeyArn: key,
      prefix: 'watchdog/prod/',
    },
  });
  const exporterId = logicalIdOf(stack, stack.watchdog.auditExporter!);

  it('creates no bucket, and grants PutObject under the prefix and GenerateDataKey on the key only', () => {
    expect(ofType(resources, 'AWS::S3::Bucket')).toEqual([]);
    const statements = roleStatements(template, exporterId);
    const s3Statements = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3Statements.map((s) => [actions(s), resourcesOf(s)])).toEqual([
      [['s3:PutObject'], ['arn:aws:s3:::central-audit/watchdog/prod/*']],
    ]);
    const kmsStatements = statements.filter((s) => actions(s).some((a) => a.startsWith('kms:')));
    expect(kmsStatements.map((s) => [actions(s), resourcesOf(s)])).toEqual([
      [['kms:GenerateDataKey'], [key]],
    ]);
  });

  it('insists that the named account owns the bucket', () => {
    expect(resources[exporterId].Properties.Environment.Variables).toMatchObject({
      [ENV.auditExportBucket]: 'central-audit',
      [ENV.auditExportPrefix]: 'watchdog/prod/',
      [ENV.auditExportBucketOwner]: '210987654321',
    });
  });

  it('cdk-nag AwsSolutions and Serverless: no finding left', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('RollbackWatchdog props: auditRetention and auditExport', () => {
  const target = RollbackTarget.ecsService({
    id: 'checkout',
    cluster: 'prod',
    serviceName: 'checkout',
    alarms: ['checkout-5xx'],
  });

  function synthProblems(props: (stack: Stack) => RollbackWatchdogProps): string {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'App', { env: { account: '123456789012', region: 'us-east-1' } });
    new RollbackWatchdog(stack, 'Watchdog', { targets: [target], ...props(stack) });
    try {
      app.synth();
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('synth succeeded, expected a validation error');
  }

  it('takes a Duration of whole days and writes it into the config', () => {
    const stack = new Stack(appWithoutBundling(), 'App');
    new RollbackWatchdog(stack, 'Watchdog', { targets: [target], auditRetention: Duration.days(365) });
    expect(writtenConfig(stack).auditRetentionDays).toBe(365);
  });

  it.each([
    ['1 day 12 hours', Duration.hours(36)],
    ['12 hours', Duration.hours(12)],
    ['3651 days', Duration.days(3651)],
  ])('refuses an auditRetention of %s, naming the prop, the range and why', (shown, value) => {
    expect(synthProblems(() => ({ auditRetention: value }))).toContain(
      'auditRetention: must be a whole number of days from 1 to 3650: at least a day so that an incident can ' +
        `be looked into, at most ten years (keep records longer than that in S3 with auditExport, where they ` +
        `cost far less than in DynamoDB) (got ${shown})`,
    );
  });

  it('refuses a bad prefix, a retention out of range, and a retention for a bucket passed in', () => {
    expect(
      synthProblems(() => ({ auditExport: { prefix: 'audit/*', retention: Duration.days(0.5) } })),
    ).toMatch(
      /auditExport\.prefix: must be a key prefix .*\(got "audit\/\*"\)[\s\S]*auditExport\.retention: must be a whole number of days from 1 to 3650.*\(got 12 hours\)/,
    );
    expect(
      synthProblems((stack) => ({
        auditExport: {
          bucket: s3.Bucket.fromBucketName(stack, 'Mine', 'mine'),
          retention: Duration.days(30),
        },
      })),
    ).toContain(
      'auditExport.retention: applies only to the bucket the watchdog creates; set the lifecycle rules of the ' +
        'bucket you pass in (auditExport.bucket) instead (got 30 days)',
    );
  });

  it('refuses an export from a table passed in without a stream, and exports from one with a stream', () => {
    expect(
      synthProblems((stack) => ({
        table: dynamodb.Table.fromTableName(stack, 'Plain', 'plain'),
        auditExport: {},
      })),
    ).toContain('auditExport: the table passed in (table) has no stream to export from');

    const stack = new Stack(appWithoutBundling(), 'App');
    const table = new dynamodb.Table(stack, 'Own', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const key = new kms.Key(stack, 'BucketKey');
    const bucket = new s3.Bucket(stack, 'Audit', { encryptionKey: key });
    const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
      targets: [target],
      table,
      auditExport: { bucket },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack, table), 'StreamArn'] },
    });
    expect(watchdog.auditExportBucket).toBe(bucket);
    const kmsActions = roleStatements(template, logicalIdOf(stack, watchdog.auditExporter!))
      .filter((s) => actions(s).some((a) => a.startsWith('kms:')))
      .flatMap(actions);
    expect(kmsActions).toEqual(['kms:GenerateDataKey']);
  });
});
