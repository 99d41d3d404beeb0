/**
 * Issue 7, monthly cost of running the watchdog for N targets: a simple model from stated usage assumptions
 * and us-east-1 list prices. The prices are list prices at the time of writing (2026), with no free tier,
 * Savings Plans or volume tiers applied: an assumption to re-check against the AWS pricing pages, not a quote.
 * The AWS calls the watchdog makes to ECS, CodeDeploy and CloudWatch DescribeAlarms carry no request charge.
 */
export const PRICES = {
  /** Lambda, arm64: per request and per GB-second. */
  lambdaPerRequest: 0.2 / 1e6,
  lambdaPerGbSecond: 0.0000133334,
  /**
   * DynamoDB on-demand, per read / write request unit. AWS halved on-demand throughput prices in November
   * 2024 (to $0.125/M RRU and $0.625/M WRU in us-east-1, per third-party summaries of the pricing page; the
   * older $0.25 / $1.25 still circulates). Storage is negligible here (a few MB) and left out.
   */
  dynamoPerRru: 0.125 / 1e6,
  dynamoPerWru: 0.625 / 1e6,
  /** KMS: one customer-managed key, and symmetric requests. */
  kmsPerKeyMonth: 1,
  kmsPerRequest: 0.03 / 10_000,
  /** SNS standard topic: publishes, and email deliveries. */
  snsPerPublish: 0.5 / 1e6,
  snsPerEmail: 2 / 100_000,
  /** CloudWatch: standard-resolution metric alarm, dashboard, Logs ingestion per GB. */
  alarmPerMonth: 0.1,
  dashboardPerMonth: 3,
  logsPerGb: 0.5,
  /** X-Ray: traces recorded. */
  xrayPerTrace: 5 / 1e6,
} as const;

/** Usage assumptions; every one can be overridden. */
export interface CostAssumptions {
  /** Alarm state changes per target per day, each one alarm-handler invocation. */
  readonly transitionsPerTargetPerDay: number;
  readonly deploymentsPerTargetPerDay: number;
  /** Deployment state events per deployment (ECS: IN_PROGRESS, COMPLETED), each one deployment-handler invocation. */
  readonly eventsPerDeployment: number;
  readonly sweepIntervalMinutes: number;
  /** How long a deployment keeps its target "in flight" for the sweep (rollout plus watch window). */
  readonly inFlightMinutesPerDeployment: number;
  readonly memoryMb: number;
  readonly alarmHandlerMs: number;
  readonly deploymentHandlerMs: number;
  /** Sweep duration: a fixed part plus a per-in-flight-target part (its ECS / CodeDeploy reads). */
  readonly sweepBaseMs: number;
  readonly sweepPerInFlightTargetMs: number;
  /** Size of one target's state item (ledger, dedupe history): drives write units. */
  readonly stateItemKb: number;
  /** Size of one audit item. */
  readonly auditItemKb: number;
  /** Config item per target (read once per container per minute; assumed once per invocation, an upper bound). */
  readonly configKbPerTarget: number;
  /** Share of alarm transitions that notify (rollbacks, notable skips, escalations). */
  readonly notifyingShare: number;
  readonly emailSubscribers: number;
  /** The stack's own operational alarms (function errors, DLQ depth, …); the users' trigger alarms are theirs. */
  readonly ownAlarms: number;
  readonly dashboards: number;
  readonly logKbPerInvocation: number;
  /** KMS requests per invocation (data keys are cached by the SDKs; SNS SSE asks per publish). */
  readonly kmsRequestsPerInvocation: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  transitionsPerTargetPerDay: 2,
  deploymentsPerTargetPerDay: 1,
  eventsPerDeployment: 2,
  sweepIntervalMinutes: 5,
  inFlightMinutesPerDeployment: 70,
  memoryMb: 512,
  alarmHandlerMs: 200,
  deploymentHandlerMs: 200,
  sweepBaseMs: 200,
  sweepPerInFlightTargetMs: 20,
  stateItemKb: 4,
  auditItemKb: 2,
  configKbPerTarget: 0.3,
  notifyingShare: 0.5,
  emailSubscribers: 1,
  ownAlarms: 6,
  dashboards: 1,
  logKbPerInvocation: 2,
  kmsRequestsPerInvocation: 1,
};

export interface CostRow {
  readonly targets: number;
  readonly alarmTransitionsPerDay: number;
  readonly deploymentsPerDay: number;
  readonly monthlyUsd: number;
  readonly breakdown: Record<string, number>;
}

const DAYS_PER_MONTH = 30;

/** Monthly cost for 10, 100 and 1,000 targets (or `fleet`), under `overrides` of the default assumptions. */
export function costModel(
  overrides: Partial<CostAssumptions> = {},
  fleet: readonly number[] = [10, 100, 1_000],
): CostRow[] {
  const a = { ...DEFAULT_ASSUMPTIONS, ...overrides };
  return fleet.map((n) => row(n, a));
}

function row(n: number, a: CostAssumptions): CostRow {
  const transitionsPerDay = n * a.transitionsPerTargetPerDay;
  const deploymentsPerDay = n * a.deploymentsPerTargetPerDay;
  const alarmInvocations = transitionsPerDay * DAYS_PER_MONTH;
  const deploymentInvocations = deploymentsPerDay * a.eventsPerDeployment * DAYS_PER_MONTH;
  const sweeps = ((24 * 60) / a.sweepIntervalMinutes) * DAYS_PER_MONTH;
  // Average number of targets with something in flight at a sweep, capped at the fleet.
  const inFlight = Math.min(n, (deploymentsPerDay * a.inFlightMinutesPerDeployment) / (24 * 60));
  const invocations = alarmInvocations + deploymentInvocations + sweeps;

  const gb = a.memoryMb / 1024;
  const gbSeconds =
    gb *
    ((alarmInvocations * a.alarmHandlerMs +
      deploymentInvocations * a.deploymentHandlerMs +
      sweeps * (a.sweepBaseMs + inFlight * a.sweepPerInFlightTargetMs)) /
      1000);

  // Strongly consistent reads: one RRU per started 4 KB. Writes: one WRU per started 1 KB.
  const configRru = Math.ceil((n * a.configKbPerTarget) / 4);
  const stateRru = Math.ceil(a.stateItemKb / 4);
  const stateWru = Math.ceil(a.stateItemKb);
  const auditWru = Math.ceil(a.auditItemKb);
  const rru =
    alarmInvocations * (configRru + stateRru) +
    deploymentInvocations * (configRru + stateRru) +
    sweeps * (configRru + n * stateRru);
  // An alarm: the claim (or the decision's state) and its audit item; a deployment event: the ledger update;
  // the sweep writes only for in-flight targets whose state moved (assumed once per deployment).
  const wru =
    alarmInvocations * (stateWru + auditWru) +
    deploymentInvocations * stateWru +
    deploymentsPerDay * DAYS_PER_MONTH * (stateWru + auditWru);

  const publishes = alarmInvocations * a.notifyingShare;
  const breakdown = {
    lambda: invocations * PRICES.lambdaPerRequest + gbSeconds * PRICES.lambdaPerGbSecond,
    dynamodb: rru * PRICES.dynamoPerRru + wru * PRICES.dynamoPerWru,
    kms: PRICES.kmsPerKeyMonth + invocations * a.kmsRequestsPerInvocation * PRICES.kmsPerRequest,
    sns: publishes * PRICES.snsPerPublish + publishes * a.emailSubscribers * PRICES.snsPerEmail,
    cloudwatchAlarms: a.ownAlarms * PRICES.alarmPerMonth,
    dashboards: a.dashboards * PRICES.dashboardPerMonth,
    logs: ((invocations * a.logKbPerInvocation) / 1024 ** 2) * PRICES.logsPerGb,
    xray: invocations * PRICES.xrayPerTrace,
  };
  const rounded = Object.fromEntries(Object.entries(breakdown).map(([k, v]) => [k, cents(v)]));
  return {
    targets: n,
    alarmTransitionsPerDay: transitionsPerDay,
    deploymentsPerDay,
    monthlyUsd: cents(Object.values(breakdown).reduce((x, y) => x + y, 0)),
    breakdown: rounded,
  };
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
