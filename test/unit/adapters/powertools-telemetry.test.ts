import { ServiceNotFoundException } from '@aws-sdk/client-ecs';
import { PowertoolsTelemetry } from '../../../lambda/adapters/powertools-telemetry';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../../lambda/contract';
import { RetryableError } from '../../../lambda/use-cases/errors';

interface EmfRecord {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** Powertools writes JSON lines (logs and EMF alike) to stdout and stderr; capture them instead of printing. */
function captureOutput(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  const written: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    written.push(chunk.toString());
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(record),
    jest.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  return {
    lines: () =>
      written
        .join('')
        .split('\n')
        .filter((l) => l.trim().length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

const emf = (lines: Record<string, unknown>[]) => lines.filter((l) => '_aws' in l) as EmfRecord[];

describe('PowertoolsTelemetry', () => {
  let out: ReturnType<typeof captureOutput>;

  beforeEach(() => {
    out = captureOutput();
  });

  afterEach(() => out.restore());

  it('buffers undimensioned counts until flush, in the watchdog namespace', () => {
    // Prepare
    const telemetry = new PowertoolsTelemetry();

    // Act
    telemetry.count(METRIC.rejectedEvents);
    const beforeFlush = emf(out.lines());
    telemetry.flush();

    // Assess
    expect(beforeFlush).toEqual([]);
    const [record] = emf(out.lines());
    expect(record?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['service']],
      Metrics: [{ Name: 'RejectedEvents', Unit: 'Count' }],
    });
    expect(record).toMatchObject({ service: SERVICE_NAME, RejectedEvents: 1 });
  });

  it('emits per-target counts at once, one record per target, with the unit taken from the name', () => {
    // Prepare
    const telemetry = new PowertoolsTelemetry();

    // Act
    telemetry.count(METRIC.rollbacksStarted, 1, { target: 'checkout' });
    telemetry.count(METRIC.detectionToActionMs, 850, { target: 'payments' });
    telemetry.count(METRIC.timeToRecoverySeconds, 240, { target: 'checkout' });

    // Assess
    const records = emf(out.lines());
    expect(records).toHaveLength(3);
    expect(records.map((r) => [r.target, r._aws.CloudWatchMetrics[0]?.Metrics[0]])).toEqual([
      ['checkout', { Name: 'RollbacksStarted', Unit: 'Count' }],
      ['payments', { Name: 'DetectionToActionMs', Unit: 'Milliseconds' }],
      ['checkout', { Name: 'TimeToRecoverySeconds', Unit: 'Seconds' }],
    ]);
    expect(records[1]).toMatchObject({ service: SERVICE_NAME, DetectionToActionMs: 850 });
    expect(records[0]?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(
      expect.arrayContaining(['service', 'target']),
    );
  });

  it('prints nothing on flush when no metric was counted', () => {
    // Prepare
    const telemetry = new PowertoolsTelemetry();

    // Act
    telemetry.flush();

    // Assess
    expect(out.lines()).toEqual([]);
  });

  it('logs structured fields, with the keys the handler appends', () => {
    // Prepare
    const telemetry = new PowertoolsTelemetry();
    telemetry.logger.appendKeys({ correlationId: 'req-1' });

    // Act
    telemetry.log('warn', 'claim changed before it could be released', { target: 'checkout', revision: 3 });

    // Assess
    expect(out.lines()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'claim changed before it could be released',
        service: SERVICE_NAME,
        correlationId: 'req-1',
        target: 'checkout',
        revision: 3,
      }),
    ]);
  });

  it("logs an SDK error's name, message and metadata, never its raw response", () => {
    // Prepare
    const telemetry = new PowertoolsTelemetry();
    const sdkError = Object.assign(
      new ServiceNotFoundException({
        message: 'Service not found.',
        $metadata: { httpStatusCode: 400, requestId: 'r-9' },
      }),
      { $response: { headers: { 'x-amz-security-token': 'SECRET-TOKEN' } } },
    );
    const wrapped = new RetryableError('DescribeServices failed', { cause: sdkError });

    // Act
    telemetry.log('error', 'inspect failed', { error: wrapped, nested: { sdkError } });

    // Assess
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toContain('SECRET-TOKEN');
    expect(line).toMatchObject({
      error: {
        name: 'RetryableError',
        message: 'DescribeServices failed',
        stack: expect.stringContaining('RetryableError'),
        cause: {
          name: 'ServiceNotFoundException',
          message: 'Service not found.',
          httpStatusCode: 400,
          requestId: 'r-9',
        },
      },
      nested: { sdkError: { name: 'ServiceNotFoundException', httpStatusCode: 400 } },
    });
    expect(line?.nested).not.toHaveProperty('sdkError.stack');
  });
});
