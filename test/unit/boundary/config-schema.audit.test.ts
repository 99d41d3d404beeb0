import { parseWatchdogConfig, resolveRuntimeConfig } from '../../../lambda/boundary/config-schema';
import { AUDIT_RETENTION_LIMITS, RETENTION } from '../../../lambda/contract';

/** Issue 14: `defaults.auditRetentionDays` and `auditExport` in watchdog.config.json. */

const env = { account: '123456789012', region: 'us-east-1' };
const targets = [
  { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'checkout', alarms: ['checkout-5xx'] },
];

function problemsOf(input: Record<string, unknown>): string[] {
  const result = parseWatchdogConfig({ targets, ...input });
  if (result.ok) throw new Error('expected problems, the config was accepted');
  return result.problems;
}

function accepted(input: Record<string, unknown>) {
  const result = parseWatchdogConfig({ targets, ...input });
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.problems.join('\n')}`);
  return result.config;
}

const RANGE = `must be a whole number of days from ${AUDIT_RETENTION_LIMITS.minDays} to ${AUDIT_RETENTION_LIMITS.maxDays}`;

describe('defaults.auditRetentionDays', () => {
  it('flows into the runtime config, and is the 90-day default when absent', () => {
    expect(
      resolveRuntimeConfig(accepted({ defaults: { auditRetentionDays: 400 } }), env).auditRetentionDays,
    ).toBe(400);
    expect(resolveRuntimeConfig(accepted({}), env).auditRetentionDays).toBe(RETENTION.auditDays);
    expect(RETENTION.auditDays).toBe(90);
  });

  it('accepts both ends of the range', () => {
    for (const days of [AUDIT_RETENTION_LIMITS.minDays, AUDIT_RETENTION_LIMITS.maxDays]) {
      expect(
        resolveRuntimeConfig(accepted({ defaults: { auditRetentionDays: days } }), env).auditRetentionDays,
      ).toBe(days);
    }
  });

  it.each([
    [0, '0'],
    [3651, '3651'],
    [1.5, '1.5'],
    [-7, '-7'],
    ['90', '"90"'],
  ])('rejects %p by its JSON path, with the range, why, and the value given', (value, shown) => {
    const problems = problemsOf({ defaults: { auditRetentionDays: value } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\$\.defaults\.auditRetentionDays: /);
    expect(problems[0]).toContain(RANGE);
    expect(problems[0]).toContain('at least a day so that an incident can be looked into');
    expect(problems[0]).toContain('auditExport');
    expect(problems[0]).toContain(`(got ${shown})`);
  });

  it('is watchdog-wide: a target cannot set it', () => {
    const problems = problemsOf({ targets: [{ ...targets[0], auditRetentionDays: 30 }] });
    expect(problems).toEqual([expect.stringMatching(/^\$\.targets\[0\]\.auditRetentionDays: unknown key/)]);
  });
});

describe('auditExport', () => {
  it('accepts an empty object (a bucket the stack creates, every default) and every field of each kind', () => {
    expect(accepted({ auditExport: {} }).auditExport).toEqual({});
    expect(accepted({ auditExport: { prefix: 'watchdog/prod/', retentionDays: 2555 } }).auditExport).toEqual({
      prefix: 'watchdog/prod/',
      retentionDays: 2555,
    });
    const own = {
      bucketName: 'central-audit.example',
      bucketOwner: '210987654321',
      kmsKeyArn: 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      prefix: 'rollback-watchdog/',
    };
    expect(accepted({ auditExport: own }).auditExport).toEqual(own);
  });

  it('names each bad field by its JSON path, with what would be valid', () => {
    const problems = problemsOf({
      auditExport: {
        bucketName: 'Audit_Bucket',
        bucketOwner: '12345',
        kmsKeyArn: 'alias/audit',
        prefix: 'audit',
      },
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^\$\.auditExport\.bucketName: must be an S3 bucket name: 3-63 lowercase .*\(got "Audit_Bucket"\)$/,
      ),
      expect.stringMatching(
        /^\$\.auditExport\.bucketOwner: must be a 12-digit AWS account id \(got "12345"\)$/,
      ),
      expect.stringMatching(
        /^\$\.auditExport\.kmsKeyArn: must be a KMS key ARN, arn:aws:kms:.*\(got "alias\/audit"\)$/,
      ),
      expect.stringMatching(
        /^\$\.auditExport\.prefix: must be a key prefix such as "audit\/".*\(got "audit"\)$/,
      ),
    ]);
  });

  it.each(['/audit/', 'audit//', 'audit/*', 'a?/', 'audit/ x/', ''])(
    'rejects the prefix %p: it must not widen the exporter’s grant or make odd keys',
    (prefix) => {
      expect(problemsOf({ auditExport: { prefix } })).toEqual([
        expect.stringMatching(/^\$\.auditExport\.prefix: must be a key prefix .*no "\*" or "\?"/),
      ]);
    },
  );

  it('rejects a prefix longer than 512 characters', () => {
    expect(problemsOf({ auditExport: { prefix: `${'a'.repeat(512)}/` } })).toEqual([
      expect.stringMatching(/^\$\.auditExport\.prefix: must be a key prefix of at most 512 characters/),
    ]);
  });

  it('rejects a retention out of range, with the range and why', () => {
    const problems = problemsOf({ auditExport: { retentionDays: 0 } });
    expect(problems).toEqual([expect.stringMatching(/^\$\.auditExport\.retentionDays: /)]);
    expect(problems[0]).toContain(RANGE);
    expect(problems[0]).toContain('(got 0)');
  });

  it('refuses settings that would do nothing: a retention for your own bucket, an owner or key for the created one', () => {
    expect(problemsOf({ auditExport: { bucketName: 'central-audit', retentionDays: 30 } })).toEqual([
      '$.auditExport.retentionDays: applies only to the bucket the stack creates; set the lifecycle rules of ' +
        'your own bucket (bucketName) instead, or remove bucketName (got 30)',
    ]);
    expect(
      problemsOf({
        auditExport: {
          bucketOwner: '210987654321',
          kmsKeyArn: 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^\$\.auditExport\.bucketOwner: applies only to a bucket of your own: set bucketName/,
      ),
      expect.stringMatching(
        /^\$\.auditExport\.kmsKeyArn: applies only to a bucket of your own: set bucketName/,
      ),
    ]);
  });

  it('rejects unknown keys with the keys that are valid there, and a value that is not an object', () => {
    expect(problemsOf({ auditExport: { bucket: 'x' } })).toEqual([
      '$.auditExport.bucket: unknown key; valid keys here are "bucketName", "bucketOwner", "kmsKeyArn", ' +
        '"prefix", "retentionDays"',
    ]);
    expect(problemsOf({ auditExport: true })).toEqual(['$.auditExport: must be an object (got true)']);
  });
});
