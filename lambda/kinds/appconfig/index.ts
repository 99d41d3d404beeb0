import { AppConfigClient, type AppConfigClientConfig } from '@aws-sdk/client-appconfig';
import type { NotificationLink, RuntimeAppConfigTarget } from '../../contract';
import type { KindEventSource, TargetKind } from '../kind';
import { AppConfigDeployer } from './deployer';
import {
  APPCONFIG_DETAIL_TYPES,
  APPCONFIG_EVENT_SOURCE,
  isAppConfigDeploymentEvent,
  parseAppConfigEvent,
} from './events';
import {
  IDENTITY_FIELDS,
  STRATEGY_ID_ENV,
  appConfigResource,
  deploymentNumberOf,
  describeAppConfig,
  isAppConfigId,
} from './names';
import { AppConfigResolver } from './resolver';

/**
 * One event source per detail-type (the registry's sources each name one): the parser is the same, and it
 * checks that `detail.Type` agrees with the detail-type.
 */
const EVENT_SOURCES: readonly KindEventSource[] = Object.keys(APPCONFIG_DETAIL_TYPES).map((detailType) => ({
  source: APPCONFIG_EVENT_SOURCE,
  detailType,
  matches: (raw: unknown) => isAppConfigDeploymentEvent(raw, detailType),
  parse: (raw: unknown, options) => parseAppConfigEvent(raw, options),
}));

/**
 * AppConfig configuration profiles deployed to one environment: stop a deployment under way with AppConfig's
 * own rollback, revert a completed one, or deploy the known-good configuration version again
 * (./deployer.ts). Targets may name the application, environment and profile by name or by id; events and
 * the API speak ids, so names are resolved at run time (./resolver.ts).
 */
export const appConfigKind: TargetKind<RuntimeAppConfigTarget> = {
  type: 'appconfig',
  label: 'AppConfig configuration profile',
  identityFields: IDENTITY_FIELDS,
  describe: describeAppConfig,
  resource: appConfigResource,
  createAdapters(env) {
    const client = env.client(
      'appconfig',
      (settings) => new AppConfigClient(settings as AppConfigClientConfig),
    );
    const resolver = new AppConfigResolver(client, env.telemetry);
    const deployer = new AppConfigDeployer({
      client,
      resolver,
      strategyId: env.env[STRATEGY_ID_ENV],
      telemetry: env.telemetry,
      // The 72-hour revert window, by the runtime's (virtual) clock; AppConfig has the last word.
      now: () => env.clock.now(),
    });
    return { deployer, owns: (target, identity) => deployer.owns(target, identity) };
  },
  consoleLinks(target, region, deploymentRef): NotificationLink[] {
    const console = `https://${region}.console.aws.amazon.com/systems-manager/appconfig`;
    const q = `?region=${region}`;
    // The console addresses resources by id: names would need a lookup, which a message never waits for.
    if (!isAppConfigId(target.application) || !isAppConfigId(target.environment)) {
      return [{ label: 'AppConfig applications', url: `${console}/applications${q}` }];
    }
    const environment = `${console}/applications/${target.application}/environments/${target.environment}`;
    const n = deploymentRef === undefined ? undefined : deploymentNumberOf(deploymentRef);
    return [
      n !== undefined
        ? { label: `AppConfig deployment ${n}`, url: `${environment}/deployments/${n}${q}` }
        : { label: 'AppConfig environment', url: `${environment}${q}` },
    ];
  },
  // The deployment events come only from an extension the account may not have, and are best effort.
  sweep: { alwaysInspect: true },
  // A configuration version number is all StartDeployment needs.
  redeployNeedsArtifact: false,
  events: EVENT_SOURCES,
};
