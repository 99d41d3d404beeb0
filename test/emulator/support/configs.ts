/**
 * The `watchdog.config.json` of each emulator test file, synthesized once per run by the global setup (one
 * stack each, in one CDK app). Every file has names of its own, so that files sharing the one moto server
 * never touch each other's resources (a sweep reads every alarm its config names).
 */
export const NAMES = {
  dynamodb: { cluster: 'emu-ddb', service: 'checkout', alarm: 'emu-ddb-checkout-5xx' },
  ecs: {
    cluster: 'emu-ecs-prod',
    service: 'checkout',
    family: 'emu-ecs-checkout',
    alarm: 'emu-ecs-checkout-5xx',
  },
  codedeploy: {
    application: 'emu-cd-payments',
    group: 'emu-cd-payments-prod',
    alarm: 'emu-cd-payments-errors',
  },
  cloudwatch: {
    cluster: 'emu-cw-prod',
    service: 'search',
    family: 'emu-cw-search',
    latency: 'emu-cw-search-latency',
    errors: 'emu-cw-search-errors',
  },
  notifications: {
    // Never created in moto: the target is invalid, which makes the watchdog escalate.
    application: 'emu-sns-payments',
    group: 'emu-sns-payments-prod',
    alarm: 'emu-sns-payments-errors',
    slackSecret: 'emu-sns/slack-webhook',
  },
} as const;

/**
 * The EventBridge fleet: enough targets, with names of realistic length, that every rule family is split
 * into several rules (lib/private/chunked-rules.ts), so that the split is checked against moto's matcher.
 */
export const FLEET = {
  ecsServices: 40,
  codeDeployGroups: 30,
  cluster: 'emu-eb-production-cluster',
  service: (i: number) => `emu-eb-service-${String(i).padStart(3, '0')}-api`,
  alarms: (i: number) => [
    `emu-eb-service-${String(i).padStart(3, '0')}-api-http-5xx-rate`,
    `emu-eb-service-${String(i).padStart(3, '0')}-api-p99-latency`,
  ],
  application: (i: number) => `emu-eb-application-${String(i).padStart(3, '0')}`,
  group: (i: number) => `emu-eb-application-${String(i).padStart(3, '0')}-production`,
  groupAlarm: (i: number) => `emu-eb-application-${String(i).padStart(3, '0')}-errors`,
} as const;

const ecsTarget = (id: string, cluster: string, service: string, alarms: readonly string[]) => ({
  id,
  type: 'ecs-service',
  cluster,
  service,
  alarms: [...alarms],
});

export const EMULATOR_CONFIGS = {
  dynamodb: {
    targets: [ecsTarget('checkout', NAMES.dynamodb.cluster, NAMES.dynamodb.service, [NAMES.dynamodb.alarm])],
  },
  ecs: {
    targets: [ecsTarget('checkout', NAMES.ecs.cluster, NAMES.ecs.service, [NAMES.ecs.alarm])],
  },
  codedeploy: {
    targets: [
      {
        id: 'payments',
        type: 'codedeploy',
        application: NAMES.codedeploy.application,
        deploymentGroup: NAMES.codedeploy.group,
        alarms: [NAMES.codedeploy.alarm],
      },
    ],
  },
  cloudwatch: {
    targets: [
      ecsTarget('search', NAMES.cloudwatch.cluster, NAMES.cloudwatch.service, [
        NAMES.cloudwatch.latency,
        NAMES.cloudwatch.errors,
      ]),
    ],
  },
  notifications: {
    targets: [
      {
        id: 'payments',
        type: 'codedeploy',
        application: NAMES.notifications.application,
        deploymentGroup: NAMES.notifications.group,
        alarms: [NAMES.notifications.alarm],
      },
    ],
    notifications: { slackWebhookSecretName: NAMES.notifications.slackSecret },
  },
  eventbridge: {
    targets: [
      ...Array.from({ length: FLEET.ecsServices }, (_, i) =>
        ecsTarget(`service-${i}`, FLEET.cluster, FLEET.service(i), FLEET.alarms(i)),
      ),
      ...Array.from({ length: FLEET.codeDeployGroups }, (_, i) => ({
        id: `group-${i}`,
        type: 'codedeploy',
        application: FLEET.application(i),
        deploymentGroup: FLEET.group(i),
        alarms: [FLEET.groupAlarm(i)],
      })),
    ],
  },
} as const;

export type EmulatorArea = keyof typeof EMULATOR_CONFIGS;
