import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog, WatchdogStack } from '../../lib';
import { MAX_TARGET_ROWS } from '../../lib/private/monitoring';
import { appWithoutBundling, evaluate, exampleConfig, logicalIdOf } from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

interface Widget {
  readonly type: string;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly metrics?: unknown[][];
    readonly view?: string;
    readonly start?: string;
  };
}

/** A metric of a graph widget, as the dashboard body lists it. */
interface GraphMetric {
  readonly namespace?: string;
  readonly name?: string;
  readonly dimensions: Record<string, string>;
  readonly stat?: string;
  readonly expression?: string;
}

function dashboardOf(template: Template): { name: string; widgets: Widget[]; body: string } {
  const dashboards = Object.values(template.toJSON().Resources as Resources).filter(
    (r) => r.Type === 'AWS::CloudWatch::Dashboard',
  );
  expect(dashboards).toHaveLength(1);
  const body = evaluate(dashboards[0].Properties.DashboardBody);
  return {
    name: evaluate(dashboards[0].Properties.DashboardName),
    widgets: (JSON.parse(body) as { widgets: Widget[] }).widgets,
    body,
  };
}

/** `[namespace, name, dim, value, ..., {options}]` or `[{expression, ...}]`. */
function graphMetrics(widget: Widget): GraphMetric[] {
  return (widget.properties.metrics ?? []).map((entry) => {
    const last = entry[entry.length - 1];
    const options = (typeof last === 'object' && last !== null ? last : {}) as Record<string, string>;
    const parts = (options === last ? entry.slice(0, -1) : entry) as string[];
    if (parts.length === 0) return { dimensions: {}, expression: options.expression };
    const dimensions: Record<string, string> = {};
    for (let i = 2; i < parts.length; i += 2) dimensions[parts[i]] = parts[i + 1];
    return { namespace: parts[0], name: parts[1], dimensions, stat: options.stat };
  });
}

const titled = (widgets: Widget[], title: string) => {
  const found = widgets.filter((w) => w.properties.title === title);
  expect(found).toHaveLength(1);
  return found[0];
};

/** Issue 6, observability; RELIABILITY #23 (docs/reliability.md) for the failure sinks. */
describe('Observability of the WatchdogStack from the example config', () => {
  const config = exampleConfig();
  let stack: WatchdogStack;
  let template: Template;
  let resources: Resources;
  let widgets: Widget[];
  let topicRef: { Ref: string };

  const functions = (): [string, () => string][] => [
    ['alarm handler', () => logicalIdOf(stack, stack.watchdog.alarmHandler)],
    ['deployment handler', () => logicalIdOf(stack, stack.watchdog.deploymentHandler)],
    ['sweep', () => logicalIdOf(stack, stack.watchdog.sweepHandler)],
    ['operator', () => logicalIdOf(stack, stack.watchdog.operatorFunction)],
    ['read-only operator', () => logicalIdOf(stack, stack.watchdog.operatorReadFunction)],
    ['Slack notifier', () => logicalIdOf(stack, stack.watchdog.slackNotifier!)],
    ['config writer', () => logicalIdOf(stack, stack.watchdog.configWriterFunction)],
  ];
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const alarms = () => ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
  const allMetrics = () => widgets.flatMap(graphMetrics);
  const expressions = () => allMetrics().flatMap((m) => (m.expression ? [m.expression] : []));

  beforeAll(() => {
    stack = new WatchdogStack(appWithoutBundling(), 'RollbackWatchdog', { config });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
    widgets = dashboardOf(template).widgets;
    topicRef = { Ref: logicalIdOf(stack, stack.watchdog.notificationTopic) };
  });

  describe('dashboard', () => {
    it('is named after the stack and its region (dashboards are global)', () => {
      expect(dashboardOf(template).name).toBe('RollbackWatchdog-us-east-1');
      expect(stack.watchdog.dashboard).toBeDefined();
    });

    it('graphs every metric the Lambdas emit (every METRIC name)', () => {
      const shown = new Set(allMetrics().flatMap((m) => (m.name ? [m.name] : [])));
      for (const expression of expressions()) {
        for (const [, name] of expression.matchAll(/MetricName="(\w+)"/g)) shown.add(name);
      }
      expect([...Object.values(METRIC)].filter((name) => !shown.has(name))).toEqual([]);
    });

    it('searches only the watchdog namespace, with the dimension names Powertools emits', () => {
      expect(expressions().length).toBeGreaterThan(0);
      for (const expression of expressions()) {
        const searches = [...expression.matchAll(/SEARCH\('\{[^}]*\}[^']*'/g)].map((m) => m[0]);
        expect(searches.length).toBeGreaterThan(0);
        for (const search of searches)
          expect(search).toMatch(
            new RegExp(`^SEARCH\\('\\{${METRICS_NAMESPACE}(,service,target(,reason)?)?\\} MetricName="\\w+"`),
          );
      }
    });

    it("shows the fleet's mean time to recovery over 30 days: all recoveries over their count", () => {
      const widget = titled(
        widgets,
        'Fleet MTTR, last 30 days (s): mean time from first ALARM to verified recovery',
      );
      expect(widget.type).toBe('metric');
      expect(widget.properties.view).toBe('singleValue');
      const [mttr] = graphMetrics(widget);
      const over = (stat: string) =>
        `SEARCH('{${METRICS_NAMESPACE},service,target} MetricName="${METRIC.timeToRecoverySeconds}"', '${stat}', 2592000)`;
      expect(mttr?.expression).toBe(`SUM(${over('Sum')}) / SUM(${over('SampleCount')})`);
      expect(widget.properties.start).toBe('-P30D');
    });

    it.each(config.targets.map((t) => [t.id]))(
      '%s: rollbacks started/succeeded/failed, with namespace, service and target dimensions',
      (id) => {
        const metrics = graphMetrics(titled(widgets, `${id}: rollbacks`));
        expect(metrics).toEqual(
          [METRIC.rollbacksStarted, METRIC.rollbacksSucceeded, METRIC.rollbacksFailed].map((name) => ({
            namespace: METRICS_NAMESPACE,
            name,
            dimensions: { service: SERVICE_NAME, target: id },
            stat: 'Sum',
          })),
        );
      },
    );

    it.each(config.targets.map((t) => [t.id]))('%s: skips, one line per reason', (id) => {
      const [skips] = graphMetrics(titled(widgets, `${id}: skips by reason`));
      expect(skips.expression).toBe(
        `SEARCH('{${METRICS_NAMESPACE},service,target,reason} MetricName="${METRIC.skips}" ` +
          `target="${id}"', 'Sum', 300)`,
      );
    });

    it.each(config.targets.map((t) => [t.id]))(
      '%s: detection to action and time to recovery at p50, p99 and max',
      (id) => {
        for (const [title, name] of [
          [`${id}: detection to action (ms)`, METRIC.detectionToActionMs],
          [`${id}: time to recovery (s)`, METRIC.timeToRecoverySeconds],
        ]) {
          expect(graphMetrics(titled(widgets, title))).toEqual(
            ['p50', 'p99', 'Maximum'].map((stat) => ({
              namespace: METRICS_NAMESPACE,
              name,
              dimensions: { service: SERVICE_NAME, target: id },
              stat,
            })),
          );
        }
      },
    );

    it.each(functions())('%s: errors, throttles, duration and dropped async events', (_name, id) => {
      for (const [title, metric] of [
        ['Lambda errors', 'Errors'],
        ['Lambda throttles', 'Throttles'],
        ['Lambda duration (p99)', 'Duration'],
        ['Lambda async events dropped', 'AsyncEventsDropped'],
      ]) {
        expect(graphMetrics(titled(widgets, title))).toContainEqual(
          expect.objectContaining({
            namespace: 'AWS/Lambda',
            name: metric,
            dimensions: { FunctionName: `<${id()}>` },
          }),
        );
      }
    });

    it('shows the DLQ depth', () => {
      expect(graphMetrics(titled(widgets, 'Dead-letter queue'))).toContainEqual(
        expect.objectContaining({
          namespace: 'AWS/SQS',
          name: 'ApproximateNumberOfMessagesVisible',
          dimensions: { QueueName: `<${logicalIdOf(stack, stack.watchdog.deadLetterQueue)}.QueueName>` },
        }),
      );
    });
  });

  describe('alarms on the watchdog itself', () => {
    it.each(functions())('%s: errors, throttles and dropped async events, > 0 in 5 minutes', (_name, id) => {
      for (const metric of ['Errors', 'Throttles', 'AsyncEventsDropped']) {
        const matching = alarms().filter(
          (a) =>
            a.MetricName === metric && a.Namespace === 'AWS/Lambda' && a.Dimensions?.[0]?.Value?.Ref === id(),
        );
        expect(matching).toHaveLength(1);
        expect(matching[0]).toMatchObject({
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: id() } }],
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          DatapointsToAlarm: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    });

    it('one FailedInvocations alarm per EventBridge rule', () => {
      const rules = ofType('AWS::Events::Rule').map(([id]) => id);
      expect(rules.length).toBeGreaterThanOrEqual(4);
      const watched = alarms()
        .filter((a) => a.Namespace === 'AWS/Events' && a.MetricName === 'FailedInvocations')
        .map((a) => {
          expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
          expect(a.Dimensions).toEqual([{ Name: 'RuleName', Value: { Ref: expect.any(String) } }]);
          return a.Dimensions[0].Value.Ref as string;
        });
      expect(watched.sort()).toEqual(rules.sort());
    });

    it('alarms on the watchdog’s own audit and notification failures (any in five minutes)', () => {
      const reporting = alarms().filter((a) => a.Namespace === METRICS_NAMESPACE);
      expect(reporting.map((a) => a.MetricName).sort()).toEqual(
        [METRIC.auditFailures, METRIC.notificationFailures].sort(),
      );
      for (const a of reporting) {
        expect(a).toMatchObject({
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          Statistic: 'Sum',
        });
        expect(a.Dimensions).toEqual([{ Name: 'service', Value: SERVICE_NAME }]);
        expect(a.AlarmActions).toEqual([topicRef]);
      }
    });

    it('one alarm on the depth of the only queue, which every failure sink dead-letters into', () => {
      const queueId = logicalIdOf(stack, stack.watchdog.deadLetterQueue);
      expect(ofType('AWS::SQS::Queue').map(([id]) => id)).toEqual([queueId]);
      const depth = alarms().filter((a) => a.Namespace === 'AWS/SQS');
      expect(depth).toHaveLength(1);
      expect(depth[0].Dimensions).toEqual([
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } },
      ]);
    });

    it('every alarm notifies the topic and nothing else, on ALARM and on recovery, and treats missing data as not breaching', () => {
      const all = alarms();
      // Three per function, one per rule, one for the DLQ, two on the watchdog's own reporting.
      expect(all).toHaveLength(3 * functions().length + ofType('AWS::Events::Rule').length + 1 + 2);
      for (const alarm of all) {
        expect(alarm.AlarmActions).toEqual([topicRef]);
        // The recovery too: the Slack forwarder renders it, so a Slack-only team hears the watchdog is fixed.
        expect(alarm.OKActions).toEqual([topicRef]);
        expect(alarm.TreatMissingData).toBe('notBreaching');
      }
    });
  });

  describe('failure sinks (RELIABILITY #23)', () => {
    it('every function invoked asynchronously has an on-failure destination and a bounded event age', () => {
      const queueArn = `<${logicalIdOf(stack, stack.watchdog.deadLetterQueue)}.Arn>`;
      const configured = new Map(
        ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => [
          r.Properties.FunctionName.Ref,
          r.Properties,
        ]),
      );
      // Every function is a rule target, an SNS subscriber, or the config writer, which CloudFormation
      // invokes asynchronously for its custom resource; but the two operator functions, which only their
      // Function URLs invoke, synchronously: the CLI gets the error, there is nothing to retry.
      const urlFunctions = [stack.watchdog.operatorFunction, stack.watchdog.operatorReadFunction].map((fn) =>
        logicalIdOf(stack, fn),
      );
      for (const id of urlFunctions) expect(configured.has(id)).toBe(false);
      const asyncFunctions = ofType('AWS::Lambda::Function')
        .map(([id]) => id)
        .filter((id) => !urlFunctions.includes(id));
      expect(asyncFunctions).toHaveLength(functions().length - urlFunctions.length);
      for (const id of asyncFunctions) {
        expect(configured.has(id)).toBe(true);
        const invokeConfig = configured.get(id)!;
        expect(evaluate(invokeConfig.DestinationConfig.OnFailure.Destination)).toBe(queueArn);
        expect(invokeConfig.MaximumEventAgeInSeconds).toBeGreaterThan(0);
        expect(invokeConfig.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
      }
    });

    it('every rule target has a dead-letter queue, bounded retries and a bounded event age', () => {
      const queueArn = `<${logicalIdOf(stack, stack.watchdog.deadLetterQueue)}.Arn>`;
      const targets = ofType('AWS::Events::Rule').flatMap(([, r]) => r.Properties.Targets as any[]);
      expect(targets.length).toBeGreaterThanOrEqual(4);
      for (const target of targets) {
        expect(evaluate(target.DeadLetterConfig.Arn)).toBe(queueArn);
        expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(3600);
        expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      }
    });

    it('every SNS subscription dead-letters into the queue', () => {
      const queueArn = `<${logicalIdOf(stack, stack.watchdog.deadLetterQueue)}.Arn>`;
      const subscriptions = ofType('AWS::SNS::Subscription');
      expect(subscriptions.length).toBeGreaterThanOrEqual(2);
      for (const [, s] of subscriptions) {
        expect(evaluate(s.Properties.RedrivePolicy.deadLetterTargetArn)).toBe(queueArn);
      }
    });
  });
});

describe('Observability at fleet scale', () => {
  const TARGETS = MAX_TARGET_ROWS + 12;
  let template: Template;

  beforeAll(() => {
    const stack = new Stack(appWithoutBundling(), 'Fleet');
    const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
      targets: Array.from({ length: TARGETS - 2 }, (_, i) =>
        RollbackTarget.ecsService({
          id: `service-${i}`,
          cluster: 'prod',
          serviceName: `service-${i}`,
          alarms: [`service-${i}-5xx`],
        }),
      ),
    });
    // Targets added after construction get their graphs too.
    for (const i of [0, 1]) {
      watchdog.addTarget(
        RollbackTarget.codeDeployGroup({
          id: `group-${i}`,
          application: `app-${i}`,
          deploymentGroupName: `app-${i}-prod`,
          alarms: [`app-${i}-errors`],
        }),
      );
    }
    template = Template.fromStack(stack);
  });

  it(`gives the first ${MAX_TARGET_ROWS} targets a row and names the rest, within 500 widgets`, () => {
    const { widgets, body } = dashboardOf(template);
    const rows = widgets.filter((w) => w.properties.title?.endsWith(': rollbacks'));
    expect(rows.map((w) => w.properties.title)).toEqual(
      Array.from({ length: MAX_TARGET_ROWS }, (_, i) => `service-${i}: rollbacks`),
    );
    const overflow = widgets.filter((w) => w.properties.markdown?.startsWith('12 more target(s)'));
    expect(overflow).toHaveLength(1);
    for (const id of ['service-50', 'service-59', 'group-0', 'group-1']) {
      expect(overflow[0].properties.markdown).toContain(id);
    }
    expect(widgets.length).toBeLessThanOrEqual(500);
    // CloudWatch's PutDashboard limit on the body is 1 MB; this stays far below it.
    expect(body.length).toBeLessThan(256 * 1024);
  });

  it('alarms on every rule the targets were split into, and on nothing per target', () => {
    const resources = Object.values(template.toJSON().Resources as Resources);
    const rules = resources.filter((r) => r.Type === 'AWS::Events::Rule').length;
    const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
    expect(rules).toBeGreaterThan(4);
    // Six functions (four handlers, the read-only operator and the config writer, no Slack notifier) with
    // three alarms each, one per rule, one for the DLQ, two on reporting (audit and notification failures).
    expect(alarms).toBe(6 * 3 + rules + 1 + 2);
  });
});
