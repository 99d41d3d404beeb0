import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME, type MetricName } from '../../lambda/contract';

/**
 * Targets that get their own row of graphs. A dashboard holds at most 500 widgets (CloudWatch dashboard
 * body structure); the rows take 4 each, so 50 rows plus the fleet section stay well under it. Every target,
 * the first 50 included, is also on the fleet graphs, which use SEARCH expressions and so need no widget
 * per target.
 */
export const MAX_TARGET_ROWS = 50;

/** Alarms and graphs aggregate over 5 minutes: one datapoint of 5 minutes breaches. */
const PERIOD = Duration.minutes(5);
const PERIOD_SECONDS = PERIOD.toSeconds();

/**
 * EMF dimension names as the Lambdas emit them: Powertools adds `service` (SERVICE_NAME) to every metric,
 * and PowertoolsTelemetry.count() adds `target` and, for Skips and RejectedEvents, `reason`.
 */
export const DIMENSION = { service: 'service', target: 'target', reason: 'reason' } as const;

/**
 * The oldest record the audit exporter reads may be this old (IteratorAge) before it alarms: exports normally
 * trail the table by seconds, and failed records are retried for 12 hours before they are dead-lettered.
 */
export const AUDIT_EXPORT_LAG_MS = 60 * 60_000;

const WIDGET_HEIGHT = 6;
const DASHBOARD_WIDTH = 24;

/** One watchdog Lambda on the dashboard and under alarm. */
interface WatchedFunction {
  readonly label: string;
  readonly fn: lambda.IFunction;
}

export interface MonitoringProps {
  /** Every alarm notifies this topic. */
  readonly topic: sns.ITopic;
  /** Its depth is graphed; its alarm is the watchdog's own (RollbackWatchdog.alarmOnDeadLetters). */
  readonly deadLetterQueue: sqs.IQueue;
}

/** A CloudWatch SEARCH expression; `schema` lists the dimension names of the metrics it matches. */
function search(schema: readonly string[], terms: string, statistic: string, label?: string) {
  const dimensions = [METRICS_NAMESPACE, ...schema].join(',');
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${dimensions}} ${terms}', '${statistic}', ${PERIOD_SECONDS})`,
    label: label ?? '',
    period: PERIOD,
  });
}

const metricName = (name: MetricName) => `MetricName="${name}"`;

/** The window of the fleet's mean time to recovery: a month of incidents. */
export const FLEET_MTTR_DAYS = 30;

/**
 * The fleet's mean time to recovery over the last FLEET_MTTR_DAYS: every verified rollback of every target
 * weighs the same (the sum of all recoveries over their count, not a mean of per-target means). The same span
 * as `watchdog report`'s time to recover: first ALARM → every trigger alarm OK again.
 */
function fleetMttrWidget(schema: readonly string[]): cloudwatch.SingleValueWidget {
  const seconds = FLEET_MTTR_DAYS * 24 * 60 * 60;
  const over = (statistic: string) =>
    `SEARCH('{${[METRICS_NAMESPACE, ...schema].join(',')}} ${metricName(METRIC.timeToRecoverySeconds)}', '${statistic}', ${seconds})`;
  return new cloudwatch.SingleValueWidget({
    title: `Fleet MTTR, last ${FLEET_MTTR_DAYS} days (s): mean time from first ALARM to verified recovery`,
    metrics: [
      new cloudwatch.MathExpression({
        expression: `SUM(${over('Sum')}) / SUM(${over('SampleCount')})`,
        label: `MTTR (${FLEET_MTTR_DAYS} days)`,
        period: Duration.days(FLEET_MTTR_DAYS),
      }),
    ],
    start: `-P${FLEET_MTTR_DAYS}D`,
    width: 8,
    height: WIDGET_HEIGHT,
  });
}

/**
 * The watchdog's own observability: a dashboard of the EMF metrics the handlers emit (per target and
 * fleet-wide) and of the handlers, rules and DLQ, and alarms on the watchdog itself (errors, throttles and
 * dropped async events of every function; failed invocations of every rule), each notifying the topic.
 */
export class Monitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm created here (the DLQ alarm is the watchdog's). */
  public readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: cloudwatchActions.SnsAction;
  private readonly functions: WatchedFunction[] = [];
  private targetRows = 0;
  private readonly overflowTargets: string[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: MonitoringProps,
  ) {
    super(scope, id);
    this.action = new cloudwatchActions.SnsAction(props.topic);
    const stack = Stack.of(this);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global (not per region): the region keeps two deployments of one stack apart.
      dashboardName: `${stack.stackName}-${stack.region}`,
      defaultInterval: Duration.days(1),
    });
  }

  /**
   * Alarms on the function's errors, throttles and (for a function invoked asynchronously) dropped async
   * events, and graphs them.
   */
  public watchFunction(label: string, fn: lambda.IFunction, invocation: 'async' | 'stream' = 'async'): void {
    this.functions.push({ label, fn });
    const id = fn.node.id;
    const alarms: [string, cloudwatch.IMetric, string][] = [
      ['Errors', fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), 'invocations failed'],
      ['Throttles', fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), 'invocations were throttled'],
    ];
    if (invocation === 'async') {
      alarms.push([
        'AsyncEventsDropped',
        fn.metric('AsyncEventsDropped', { period: PERIOD, statistic: 'Sum' }),
        'asynchronous events were dropped without being processed',
      ]);
    }
    for (const [metric, value, what] of alarms) {
      this.alarm(`${id}${metric}Alarm`, value, `Rollback Watchdog: ${label}: ${what}`);
    }
  }

  /**
   * The audit exporter: its errors and throttles, audit items it could not write (it reports them as batch
   * item failures, which Lambda retries without counting an error), and how far behind the stream it is.
   */
  public watchAuditExport(label: string, fn: lambda.IFunction): void {
    this.watchFunction(label, fn, 'stream');
    this.alarm(
      'AuditExportFailuresAlarm',
      this.emf(METRIC.auditExportFailures, 'Sum', {}),
      'Rollback Watchdog: audit items could not be written to the export bucket (retried from the stream)',
    );
    this.alarm(
      `${fn.node.id}IteratorAgeAlarm`,
      fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
      `Rollback Watchdog: ${label}: the export is more than an hour behind the state table`,
      AUDIT_EXPORT_LAG_MS,
    );
  }

  /**
   * Alarms on the watchdog's own reporting: an audit item or a notification that could not be written. The
   * rollback itself went ahead (its report is retried from the target's outbox), but on-call must know that
   * the record or the page is late.
   */
  public watchReporting(): void {
    const reporting: [string, MetricName, string][] = [
      ['AuditFailuresAlarm', METRIC.auditFailures, 'audit items could not be written to the state table'],
      ['NotificationFailuresAlarm', METRIC.notificationFailures, 'notifications could not be published'],
    ];
    for (const [id, metric, what] of reporting) {
      this.alarm(id, this.emf(metric, 'Sum', {}), `Rollback Watchdog: ${what} (the report is retried)`);
    }
  }

  /** Alarms on the rule's failed invocations (events EventBridge could not deliver to the target). */
  public watchRule(rule: events.Rule): void {
    this.alarm(
      `${rule.node.id}FailedInvocationsAlarm`,
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: rule.ruleName },
        period: PERIOD,
        statistic: 'Sum',
      }),
      `Rollback Watchdog: EventBridge rule ${rule.node.id} failed to invoke its target`,
    );
  }

  /**
   * The fleet section: every target on one graph per metric (SEARCH), the failure counters, the functions
   * and the DLQ. Call once, after every function is watched and before any target is added.
   */
  public addFleetSection(): void {
    const stack = Stack.of(this);
    const byTarget: readonly string[] = [DIMENSION.service, DIMENSION.target];
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# Rollback Watchdog (${stack.stackName})\n` +
          `Fleet graphs show every target (one line each); the first ${MAX_TARGET_ROWS} targets also get a ` +
          'row of their own below. Metrics are in the `' +
          METRICS_NAMESPACE +
          '` namespace.',
        width: DASHBOARD_WIDTH,
        height: 2,
      }),
    );
    const fleetGraph = (
      title: string,
      metric: MetricName,
      statistic: string,
      schema: readonly string[] = byTarget,
    ) =>
      new cloudwatch.GraphWidget({
        title,
        left: [search(schema, metricName(metric), statistic)],
        width: 8,
        height: WIDGET_HEIGHT,
        legendPosition: cloudwatch.LegendPosition.RIGHT,
      });
    this.dashboard.addWidgets(
      fleetGraph('Rollbacks started, by target', METRIC.rollbacksStarted, 'Sum'),
      fleetGraph('Rollbacks succeeded, by target', METRIC.rollbacksSucceeded, 'Sum'),
      fleetGraph('Rollbacks failed, by target', METRIC.rollbacksFailed, 'Sum'),
    );
    this.dashboard.addWidgets(
      fleetGraph('Skips, by target and reason', METRIC.skips, 'Sum', [...byTarget, DIMENSION.reason]),
      fleetGraph('Detection to action (ms, p99), by target', METRIC.detectionToActionMs, 'p99'),
      fleetGraph('Time to recovery (s, max), by target', METRIC.timeToRecoverySeconds, 'Maximum'),
    );
    this.dashboard.addWidgets(fleetMttrWidget(byTarget));
    // NotificationFailures and RejectedEvents come with different dimension sets (per target, per channel,
    // per reason): a search on the namespace alone finds them all.
    const anyDimensions = (title: string, metric: MetricName) =>
      new cloudwatch.GraphWidget({
        title,
        left: [search([], metricName(metric), 'Sum')],
        width: 6,
        height: WIDGET_HEIGHT,
      });
    this.dashboard.addWidgets(
      anyDimensions('Notification failures', METRIC.notificationFailures),
      anyDimensions('Rejected events', METRIC.rejectedEvents),
      new cloudwatch.GraphWidget({
        title: 'Audit failures',
        left: [
          this.emf(METRIC.auditFailures, 'Sum', {}, 'table'),
          this.emf(METRIC.auditExportFailures, 'Sum', {}, 'S3 export'),
        ],
        width: 6,
        height: WIDGET_HEIGHT,
      }),
      fleetGraph('Freeze failures, by target', METRIC.freezeFailures, 'Sum'),
    );
    this.dashboard.addWidgets(
      fleetGraph('Sweep decisions, by target', METRIC.sweepDecisions, 'Sum'),
      fleetGraph('Settings restores failed, by target', METRIC.settingsRestoreFailures, 'Sum'),
      fleetGraph('Retention warnings, by target', METRIC.retentionWarnings, 'Sum'),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue',
        left: [
          this.props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: PERIOD,
            statistic: 'Maximum',
            label: 'Messages waiting',
          }),
        ],
        right: [
          this.props.deadLetterQueue.metricApproximateAgeOfOldestMessage({
            period: PERIOD,
            statistic: 'Maximum',
            label: 'Age of oldest (s)',
          }),
        ],
        width: 8,
        height: WIDGET_HEIGHT,
      }),
    );
    const perFunction = (title: string, metric: (f: WatchedFunction) => cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({
        title,
        left: this.functions.flatMap(metric),
        width: 6,
        height: WIDGET_HEIGHT,
        legendPosition: cloudwatch.LegendPosition.BOTTOM,
      });
    const opts = (label: string, statistic: string) => ({ period: PERIOD, statistic, label });
    this.dashboard.addWidgets(
      perFunction('Lambda errors', ({ label, fn }) => [fn.metricErrors(opts(label, 'Sum'))]),
      perFunction('Lambda throttles', ({ label, fn }) => [fn.metricThrottles(opts(label, 'Sum'))]),
      perFunction('Lambda duration (p99)', ({ label, fn }) => [fn.metricDuration(opts(label, 'p99'))]),
      perFunction('Lambda async events dropped', ({ label, fn }) => [
        fn.metric('AsyncEventsDropped', opts(label, 'Sum')),
      ]),
    );
  }

  /** A row of graphs for one target, for the first MAX_TARGET_ROWS targets; the rest are listed. */
  public addTarget(targetId: string): void {
    if (this.targetRows >= MAX_TARGET_ROWS) {
      if (this.overflowTargets.length === 0) {
        this.dashboard.addWidgets(
          new cloudwatch.TextWidget({
            markdown: Lazy.string({
              produce: () =>
                `${this.overflowTargets.length} more target(s) have no row of their own (at most ` +
                `${MAX_TARGET_ROWS}, to stay within CloudWatch's 500 widgets per dashboard); the fleet graphs ` +
                `above show them: ${this.overflowTargets.join(', ')}`,
            }),
            width: DASHBOARD_WIDTH,
            height: 2,
          }),
        );
      }
      this.overflowTargets.push(targetId);
      return;
    }
    this.targetRows += 1;
    const target = { [DIMENSION.target]: targetId };
    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title: `${targetId}: ${title}`, left, width: 6, height: WIDGET_HEIGHT });
    const latency = (metric: MetricName) =>
      (['p50', 'p99', 'Maximum'] as const).map((statistic) =>
        this.emf(metric, statistic, target, statistic === 'Maximum' ? 'max' : statistic),
      );
    this.dashboard.addWidgets(
      graph('rollbacks', [
        this.emf(METRIC.rollbacksStarted, 'Sum', target, 'started'),
        this.emf(METRIC.rollbacksSucceeded, 'Sum', target, 'succeeded'),
        this.emf(METRIC.rollbacksFailed, 'Sum', target, 'failed'),
      ]),
      graph('skips by reason', [
        search(
          [DIMENSION.service, DIMENSION.target, DIMENSION.reason],
          `${metricName(METRIC.skips)} ${DIMENSION.target}="${targetId}"`,
          'Sum',
        ),
      ]),
      graph('detection to action (ms)', latency(METRIC.detectionToActionMs)),
      graph('time to recovery (s)', latency(METRIC.timeToRecoverySeconds)),
    );
  }

  /** A metric the handlers emit through Powertools: namespace, `service` and the given dimensions. */
  private emf(metric: MetricName, statistic: string, dimensions: Record<string, string>, label?: string) {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: metric,
      dimensionsMap: { [DIMENSION.service]: SERVICE_NAME, ...dimensions },
      statistic,
      period: PERIOD,
      label,
    });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, description: string, threshold = 0): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    // And its recovery, so whoever was told it broke is told it is fixed.
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
