import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitValue } from '@aws-lambda-powertools/metrics/types';
import { METRICS_NAMESPACE, SERVICE_NAME, type MetricName } from '../contract';
import type { LogLevel, Telemetry } from '../use-cases/ports';
import { summarizeError } from './aws-errors';

export interface PowertoolsTelemetryOptions {
  /** @default - a Logger for SERVICE_NAME (level from POWERTOOLS_LOG_LEVEL) */
  readonly logger?: Logger;
  /** @default - Metrics in METRICS_NAMESPACE for SERVICE_NAME */
  readonly metrics?: Metrics;
}

/** Structured JSON logs and CloudWatch EMF metrics through Powertools. Create once per container. */
export class PowertoolsTelemetry implements Telemetry {
  /** Exposed so the handler can `appendKeys({ correlationId })` for the invocation. */
  readonly logger: Logger;
  private readonly metrics: Metrics;

  constructor(options: PowertoolsTelemetryOptions = {}) {
    this.logger = options.logger ?? new Logger({ serviceName: SERVICE_NAME });
    this.metrics =
      options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  }

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    if (fields) this.logger[level](message, redactErrors(fields) as Record<string, unknown>);
    else this.logger[level](message);
  }

  /**
   * Metrics with dimensions (per target) are emitted at once as their own EMF record, because one EMF record
   * shares one dimension set: an invocation that acts on several targets would otherwise mix them up.
   */
  count(metric: MetricName, value = 1, dimensions?: Record<string, string>): void {
    const unit = unitOf(metric);
    if (dimensions && Object.keys(dimensions).length > 0) {
      const single = this.metrics.singleMetric();
      single.addDimensions(dimensions);
      single.addMetric(metric, unit, value);
      return;
    }
    this.metrics.addMetric(metric, unit, value);
  }

  flush(): void {
    // Publishing an empty buffer only prints Powertools' "no metrics" warning.
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}

/** Metric names carry their unit as a suffix (`DetectionToActionMs`, `TimeToRecoverySeconds`). */
function unitOf(metric: MetricName): MetricUnitValue {
  if (metric.endsWith('Ms')) return MetricUnit.Milliseconds;
  if (metric.endsWith('Seconds')) return MetricUnit.Seconds;
  return MetricUnit.Count;
}

const MAX_DEPTH = 4;

/**
 * Replaces every Error in the fields with its name, message and SDK metadata. SDK errors carry the raw HTTP
 * response; that never reaches a log line. Errors from our own code keep their stack.
 */
function redactErrors(value: unknown, depth = 0): unknown {
  if (value instanceof Error) {
    const summary = summarizeError(value);
    const isSdkError = '$metadata' in value;
    const cause =
      value.cause !== undefined && depth < MAX_DEPTH ? redactErrors(value.cause, depth + 1) : undefined;
    return {
      ...summary,
      ...(!isSdkError && value.stack ? { stack: value.stack } : {}),
      ...(cause !== undefined ? { cause } : {}),
    };
  }
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactErrors(v, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  // Dates and other class instances are left for the logger to serialise.
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactErrors(v, depth + 1)]));
}
