import type { RuntimeTarget } from '../contract';
import { versionsLackingSchemaFacts, withSchemaFacts, type TargetState } from '../domain';
import { annotateLedger } from './apply-to-target';
import type { UseCaseDeps } from './deps';
import { TargetInvalidError } from './errors';
import type { VersionFacts } from './ports';
import { describe } from './report';

/** Versions read per call: a deployment brings one new version; seeding brings the few the service reports. */
export const SCHEMA_FACT_READS = 5;
/**
 * Versions the sweep reads per target and run: after an upgrade every ledger lacks them, and a fleet of 1,000
 * targets must not spend one sweep (and ECS's describe rate) on 5,000 reads. The newest come first.
 */
export const SWEEP_SCHEMA_FACT_READS = 2;

/**
 * Reads what the ledger's versions declare about the database schema (the schema gate, lambda/domain/schema.ts)
 * for those not read yet, concurrently, and records it: off the alarm path (the deployment handler when a
 * deployment is first seen, the sweep for what that missed). Never throws: a version that could not be read is
 * logged and read again next time. Returns the state as stored afterwards.
 */
export async function learnSchemaFacts(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState | undefined,
  limit: number = SCHEMA_FACT_READS,
): Promise<TargetState | undefined> {
  const deployer = deps.deployerFor(target);
  if (!state || !deployer.versionFacts) return state;
  const versions = versionsLackingSchemaFacts(state.ledger, limit);
  if (versions.length === 0) return state;
  const read = await Promise.allSettled(versions.map((v) => deployer.versionFacts!(target, v)));
  const learned: [string, VersionFacts][] = [];
  read.forEach((r, i) => {
    const version = versions[i];
    if (r.status === 'fulfilled') {
      learned.push([version, r.value]);
      if (r.value.problems?.length) {
        deps.telemetry.log('warn', 'unusable schema tags, ignored', {
          target: target.id,
          version,
          problems: r.value.problems,
        });
      }
    } else if (r.reason instanceof TargetInvalidError) {
      // Gone or forbidden: recorded as read (with why), so that it is not asked again every time.
      learned.push([version, { problems: [`could not be read: ${r.reason.message}`] }]);
    } else {
      deps.telemetry.log('warn', 'could not read the schema tags of a version; read again later', {
        target: target.id,
        version,
        error: describe(r.reason),
      });
    }
  });
  if (learned.length === 0) return state;
  return annotateLedger(
    deps,
    target,
    state,
    (ledger, now) => {
      let next = ledger;
      for (const [version, facts] of learned) next = withSchemaFacts(next, version, facts, now);
      return next;
    },
    'could not record schema facts; read again later',
  );
}
