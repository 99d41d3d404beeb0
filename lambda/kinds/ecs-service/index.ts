import {
  DEPLOYMENT_CALLS,
  DETAIL_TYPE,
  EVENT_SOURCE,
  type NotificationLink,
  type RuntimeEcsTarget,
} from '../../contract';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EcsDeployer } from '../../adapters/ecs-deployer';
import { parseEcsDeploymentEvent } from '../../boundary/events';
import { ownsByIdentity, type TargetKind } from '../kind';
import { deploymentCallSource, envelopeIs } from '../shared-events';

const IDENTITY = ['cluster', 'service'] as const;

/**
 * ECS services on the `ECS` deployment controller (any strategy): stop an in-progress deployment with ECS's own
 * rollback, or deploy the known-good task definition again (lambda/adapters/ecs-deployer.ts).
 */
export const ecsServiceKind: TargetKind<RuntimeEcsTarget> = {
  type: 'ecs-service',
  label: 'ECS service',
  identityFields: IDENTITY,
  describe: (t) => `ECS service ${t.service} in cluster ${t.cluster}`,
  resource: (t) => `${t.cluster}/${t.service}`,
  createAdapters: (env) => ({
    deployer: new EcsDeployer({
      client: env.clients.ecs,
      telemetry: env.telemetry,
      // Built on the first viability check of an image in ECR.
      ecr: () => env.client('ecr', (settings) => new ECRClient(settings)),
      now: () => env.clock.now(),
    }),
    owns: (target, identity) => ownsByIdentity(IDENTITY, target, identity),
  }),
  consoleLinks(target, region): NotificationLink[] {
    const q = `?region=${region}`;
    const service = `https://${region}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(target.cluster)}/services/${encodeURIComponent(target.service)}`;
    return [
      { label: 'Service deployments', url: `${service}/deployments${q}` },
      { label: 'Service logs', url: `${service}/logs${q}` },
    ];
  },
  // Deployment events are delivered at least once and rarely lost; the sweep looks when something is pending.
  sweep: { alwaysInspect: false },
  redeployNeedsArtifact: false,
  events: [
    {
      source: EVENT_SOURCE.ecs,
      detailType: DETAIL_TYPE.ecsDeploymentStateChange,
      matches: (raw) => envelopeIs(raw, EVENT_SOURCE.ecs, DETAIL_TYPE.ecsDeploymentStateChange),
      parse(raw, options) {
        const parsed = parseEcsDeploymentEvent(raw, options);
        if (!parsed.ok) return parsed;
        const { cluster, service, event } = parsed.value;
        return {
          ok: true,
          envelope: parsed.envelope,
          value: { kind: 'deployment', identity: { cluster, service }, event },
        };
      },
    },
    deploymentCallSource(EVENT_SOURCE.ecs, DEPLOYMENT_CALLS.ecs),
  ],
};
