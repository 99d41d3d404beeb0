import {
  DEPLOYMENT_CALLS,
  DETAIL_TYPE,
  EVENT_SOURCE,
  type NotificationLink,
  type RuntimeCodeDeployTarget,
} from '../../contract';
import { S3Client } from '@aws-sdk/client-s3';
import { CodeDeployDeployer } from '../../adapters/codedeploy-deployer';
import { parseCodeDeployEvent } from '../../boundary/events';
import { ownsByIdentity, type TargetKind } from '../kind';
import { deploymentCallSource, envelopeIs } from '../shared-events';

const IDENTITY = ['application', 'deploymentGroup'] as const;

/**
 * CodeDeploy deployment groups of any compute platform: stop an active deployment with CodeDeploy's automatic
 * rollback, or deploy the known-good revision again (lambda/adapters/codedeploy-deployer.ts).
 */
export const codeDeployKind: TargetKind<RuntimeCodeDeployTarget> = {
  type: 'codedeploy',
  label: 'CodeDeploy deployment group',
  identityFields: IDENTITY,
  describe: (t) => `CodeDeploy deployment group ${t.deploymentGroup} of application ${t.application}`,
  resource: (t) => `${t.application}/${t.deploymentGroup}`,
  createAdapters: (env) => ({
    deployer: new CodeDeployDeployer({
      client: env.clients.codedeploy,
      telemetry: env.telemetry,
      // Built on the first S3 revision's viability check: a watchdog without one never loads it.
      s3: () => env.client('s3', (settings) => new S3Client(settings)),
    }),
    owns: (target, identity) => ownsByIdentity(IDENTITY, target, identity),
  }),
  consoleLinks(target, region, deploymentRef): NotificationLink[] {
    const host = `https://${region}.console.aws.amazon.com/codesuite/codedeploy`;
    const q = `?region=${region}`;
    // ECS stop references are service deployment ARNs; a CodeDeploy reference is the deployment id.
    const id = deploymentRef && /^d-[A-Z0-9]+$/.test(deploymentRef) ? deploymentRef : '';
    return [
      id
        ? { label: `CodeDeploy deployment ${id}`, url: `${host}/deployments/${encodeURIComponent(id)}${q}` }
        : {
            label: 'CodeDeploy deployment group',
            url: `${host}/applications/${encodeURIComponent(target.application)}/deployment-groups/${encodeURIComponent(target.deploymentGroup)}${q}`,
          },
    ];
  },
  // CodeDeploy's state-change events can be lost (they come from a trigger-less notification): look every run.
  sweep: { alwaysInspect: true },
  redeployNeedsArtifact: true,
  events: [
    {
      source: EVENT_SOURCE.codedeploy,
      detailType: DETAIL_TYPE.codeDeployStateChange,
      matches: (raw) => envelopeIs(raw, EVENT_SOURCE.codedeploy, DETAIL_TYPE.codeDeployStateChange),
      parse(raw, options) {
        const parsed = parseCodeDeployEvent(raw, options);
        if (!parsed.ok) return parsed;
        const { application, deploymentGroup, event } = parsed.value;
        return {
          ok: true,
          envelope: parsed.envelope,
          value: { kind: 'deployment', identity: { application, deploymentGroup }, event },
        };
      },
    },
    deploymentCallSource(EVENT_SOURCE.codedeploy, DEPLOYMENT_CALLS.codedeploy),
  ],
};
