import {
  MINUTE,
  isCreatorLabel,
  reconcileWithLive,
  recordDeploymentCall,
  settlePrincipals,
  type DeploymentPrincipal,
  type LiveOk,
  type TargetState,
} from '../../../lambda/domain';
import { liveInProgress, provenEntry, SEC, seededState, T0 } from '../../support/domain-fixtures';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';
const BAKE = 10 * MINUTE;
const principal = (p: Partial<DeploymentPrincipal> = {}): DeploymentPrincipal => ({
  deploymentId: 'ecs-svc/1',
  version: 'checkout:41',
  by: ALICE,
  at: T0,
  ...p,
});
const record = (state: TargetState, p: DeploymentPrincipal, key = 'cloudtrail|1', now = T0 + SEC) =>
  recordDeploymentCall(state, { key, principal: p }, now);

/** payments@r7 served before; payments@r8 is CodeDeploy's deployment d-2 now, created by `creator`. */
function codeDeployLive(creator = 'CodeDeploy creator: user'): LiveOk {
  return {
    kind: 'ok',
    currentVersion: 'payments@r8',
    latest: { id: 'd-2', version: 'payments@r8', state: 'in-progress', startedAt: T0, deployedBy: creator },
    previous: [
      {
        id: 'd-1',
        version: 'payments@r7',
        state: 'completed',
        startedAt: T0 - 60 * MINUTE,
        completedAt: T0 - 58 * MINUTE,
        deployedBy: creator,
      },
    ],
    nativeRollback: false,
  };
}

describe('who deployed (LedgerEntry.deployedBy)', () => {
  it('names an entry that is not the newest in place: the ledger keeps its order and every other field', () => {
    const state = seededState();
    const next = record(state, principal());
    expect(next.ledger.map((e) => e.version)).toEqual(['checkout:42', 'checkout:41']);
    expect(next.ledger[1]).toEqual({ ...provenEntry('checkout:41'), deployedBy: ALICE });
    expect(next.ledger[0]).toBe(state.ledger[0]);
  });

  it('matches on the deployment: a record of another deployment of the same version waits instead', () => {
    const next = record(seededState(), principal({ deploymentId: 'ecs-svc/7' }));
    expect(next.ledger).toEqual(seededState().ledger);
    expect(next.pendingPrincipals).toEqual([principal({ deploymentId: 'ecs-svc/7' })]);
  });

  it('bounds what waits: the ten newest records, each for a day', () => {
    let state = seededState();
    for (let i = 0; i < 12; i++) state = record(state, principal({ deploymentId: `ecs-svc/x${i}` }), `k${i}`);
    expect(state.pendingPrincipals?.map((p) => p.deploymentId)).toEqual(
      Array.from({ length: 10 }, (_, i) => `ecs-svc/x${i + 2}`),
    );
    expect(settlePrincipals(state, T0 + 24 * 60 * MINUTE).pendingPrincipals).toBeUndefined();
    // A record older than a day on arrival does not wait at all.
    expect(
      record(seededState(), principal({ deploymentId: 'ecs-svc/old' }), 'k', T0 + 25 * 60 * MINUTE)
        .pendingPrincipals,
    ).toBeUndefined();
  });

  it('settles to the very same state when nothing waits or nothing matches, so no write follows', () => {
    const state = seededState();
    expect(settlePrincipals(state, T0)).toBe(state);
    const waiting = record(state, principal({ deploymentId: 'ecs-svc/9' }));
    expect(settlePrincipals(waiting, T0 + MINUTE)).toBe(waiting);
  });

  it('takes CodeDeploy’s creator from the live view when no CloudTrail record named anyone', () => {
    const seeded = reconcileWithLive(
      { ...seededState(), seeded: false, ledger: [] },
      codeDeployLive(),
      T0 + SEC,
      BAKE,
    );
    expect(seeded.ledger.map((e) => [e.version, e.deployedBy])).toEqual([
      ['payments@r8', 'CodeDeploy creator: user'],
      ['payments@r7', 'CodeDeploy creator: user'],
    ]);
    expect(isCreatorLabel('CodeDeploy creator: user')).toBe(true);
    expect(isCreatorLabel(ALICE)).toBe(false);
  });

  it('lets a CloudTrail principal replace the creator, and never the creator a principal', () => {
    const seeded = reconcileWithLive(
      { ...seededState(), seeded: false, ledger: [] },
      codeDeployLive(),
      T0 + SEC,
      BAKE,
    );
    const named = record(seeded, { deploymentId: 'd-2', by: ALICE, at: T0 });
    expect(named.ledger[0]?.deployedBy).toBe(ALICE);
    const again = reconcileWithLive(named, codeDeployLive(), T0 + 2 * SEC, BAKE);
    expect(again.ledger[0]?.deployedBy).toBe(ALICE);
    expect(again).toBe(named);
  });

  it('applies a waiting CloudTrail principal over the creator when the entry appears', () => {
    const waiting = record(
      { ...seededState(), seeded: false, ledger: [] },
      {
        deploymentId: 'd-2',
        by: ALICE,
        at: T0,
      },
    );
    expect(waiting.pendingPrincipals).toHaveLength(1);
    const seeded = reconcileWithLive(waiting, codeDeployLive(), T0 + SEC, BAKE);
    expect(seeded.ledger.map((e) => e.deployedBy)).toEqual([ALICE, 'CodeDeploy creator: user']);
    expect(seeded.pendingPrincipals).toBeUndefined();
  });

  it('never names an entry from a record that names neither a deployment nor a version', () => {
    const next = record(seededState(), { by: ALICE, at: T0 });
    expect(next.ledger).toEqual(seededState().ledger);
  });

  it('keeps the ECS live view from naming anyone: ECS reports no principal', () => {
    const state = reconcileWithLive(seededState(), liveInProgress('checkout:42', T0), T0 + SEC, BAKE);
    expect(state.ledger.every((e) => e.deployedBy === undefined)).toBe(true);
  });
});
