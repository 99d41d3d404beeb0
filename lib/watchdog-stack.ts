import { Annotations, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PolicyConfig, WatchdogConfig } from '../lambda/contract';
import { RollbackTarget, type RollbackPolicy } from './rollback-target';
import { RollbackWatchdog } from './rollback-watchdog';

/** Properties of {@link WatchdogStack}. */
export interface WatchdogStackProps extends StackProps {
  /** The contents of `watchdog.config.json`, already validated with `parseWatchdogConfig`. */
  readonly config: WatchdogConfig;
}

const minutes = (value: number | undefined) => (value === undefined ? undefined : Duration.minutes(value));

function toPolicy(config: PolicyConfig | undefined): RollbackPolicy | undefined {
  if (!config) return undefined;
  return {
    mode: config.mode,
    cooldown: minutes(config.cooldownMinutes),
    bake: minutes(config.bakeMinutes),
    watchWindow: minutes(config.watchWindowMinutes),
    maxRollbacks: config.maxRollbacks && {
      count: config.maxRollbacks.count,
      window: Duration.minutes(config.maxRollbacks.windowMinutes),
    },
    approvalTimeout: minutes(config.approvalTimeoutMinutes),
  };
}

/**
 * The app's stack: one {@link RollbackWatchdog} built from `watchdog.config.json`. The config is parsed
 * and validated by the caller (`bin/app.ts`), so that every problem in the file is reported at once by
 * JSON path before any construct exists.
 */
export class WatchdogStack extends Stack {
  public readonly watchdog: RollbackWatchdog;

  constructor(scope: Construct, id: string, props: WatchdogStackProps) {
    super(scope, id, props);
    const { config } = props;
    const targets = config.targets.map((target) => {
      switch (target.type) {
        case 'ecs-service':
          return RollbackTarget.ecsService({
            id: target.id,
            cluster: target.cluster,
            serviceName: target.service,
            alarms: target.alarms,
            policy: toPolicy(target),
          });
        case 'codedeploy':
          return RollbackTarget.codeDeployGroup({
            id: target.id,
            application: target.application,
            deploymentGroupName: target.deploymentGroup,
            alarms: target.alarms,
            policy: toPolicy(target),
          });
      }
    });

    this.watchdog = new RollbackWatchdog(this, 'Watchdog', {
      targets,
      defaults: toPolicy(config.defaults),
      maxEventAge: minutes(config.defaults?.maxEventAgeMinutes),
      sweepInterval: minutes(config.defaults?.sweepIntervalMinutes),
      notificationEmails: config.notifications?.emails,
    });

    if (config.notifications?.slackWebhookSecretName !== undefined) {
      Annotations.of(this).addWarningV2(
        'rollback-watchdog:slack-not-deployed',
        'notifications.slackWebhookSecretName is accepted but no Slack notifier is deployed yet; ' +
          'subscribe AWS Chatbot to the notification topic instead.',
      );
    }
  }
}
