import { DETAIL_TYPE } from '../contract';
import { parseDeploymentCallEvent } from '../boundary/cloudtrail-events';
import type { Parsed } from '../boundary/events';
import type { Millis } from '../domain';
import type { KindEvent, KindEventSource } from './kind';

/** Whether an event's envelope says `source` and `detail-type` (and, for CloudTrail records, `eventSource`). */
export function envelopeIs(raw: unknown, source: string, detailType: string, eventSource?: string): boolean {
  if (typeof raw !== 'object' || raw === null) return false;
  const e = raw as { source?: unknown; 'detail-type'?: unknown; detail?: { eventSource?: unknown } };
  if (e.source !== source || e['detail-type'] !== detailType) return false;
  return eventSource === undefined || e.detail?.eventSource === eventSource;
}

/**
 * The CloudTrail records of the calls that start ECS and CodeDeploy deployments (who deployed: docs/reliability.md,
 * "Who deployed"), parsed by `lambda/boundary/cloudtrail-events.ts` for both platforms.
 */
export function deploymentCallSource(
  source: string,
  calls: { readonly eventSource: string; readonly eventNames: readonly string[] },
): KindEventSource {
  return {
    source,
    detailType: DETAIL_TYPE.cloudTrailApiCall,
    cloudTrail: calls,
    matches: (raw) => envelopeIs(raw, source, DETAIL_TYPE.cloudTrailApiCall),
    parse(raw: unknown, options: { readonly now: Millis }): Parsed<KindEvent> {
      const parsed = parseDeploymentCallEvent(raw, options);
      if (!parsed.ok) return parsed;
      const call = parsed.value;
      const value: KindEvent =
        call.kind === 'failed'
          ? {
              kind: 'ignored',
              level: 'info',
              message: 'a deployment call that failed deployed nothing',
              fields: { eventName: call.eventName, errorCode: call.errorCode },
            }
          : call.kind === 'scaling'
            ? {
                kind: 'ignored',
                level: 'debug',
                message: 'an UpdateService that only scales started no deployment',
                fields: { cluster: call.cluster, service: call.service },
              }
            : {
                kind: 'call',
                identity:
                  call.platform === 'ecs'
                    ? { cluster: call.cluster, service: call.service }
                    : { application: call.application, deploymentGroup: call.deploymentGroup },
                key: call.key,
                principal: call.principal,
              };
      return { ok: true, value, envelope: parsed.envelope };
    },
  };
}
