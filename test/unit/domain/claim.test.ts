import {
  CLOCK_SKEW_MS,
  MINUTE,
  rollbackUnderway,
  type ActiveRollback,
  type LiveOk,
} from '../../../lambda/domain';
import { T0 } from '../../support/domain-fixtures';

/**
 * rollbackUnderway decides whether a claim whose rollback call was lost (or never made) is already carried
 * out by the platform. Wrong one way, the watchdog rolls back twice; wrong the other, never.
 */
describe('rollbackUnderway', () => {
  const claim: ActiveRollback = {
    decisionId: 'dec-1',
    trigger: 'payments-errors',
    reason: 'alarm',
    from: 'payments@v42',
    to: 'payments@v41',
    action: 'redeploy',
    claimedAt: T0,
    leaseUntil: T0 + 30 * MINUTE,
  };
  /** A CodeDeploy group still serving v42 while a deployment of `version` runs (started at `startedAt`). */
  const deploying = (version: string, startedAt: number, initiatedBy?: string): LiveOk => ({
    kind: 'ok',
    currentVersion: 'payments@v42',
    latest: {
      id: 'd-NEW',
      version,
      state: 'in-progress',
      startedAt,
      blocksNewDeployments: true,
      ...(initiatedBy ? { initiatedBy } : {}),
    },
    previous: [],
    nativeRollback: false,
  });

  it('counts a deployment of the target version started after the claim', () => {
    expect(rollbackUnderway(deploying('payments@v41', T0 + 5_000), claim)).toBe(true);
  });

  it('counts one started up to the clock skew before the claim (the platform clock runs behind)', () => {
    expect(rollbackUnderway(deploying('payments@v41', T0 - CLOCK_SKEW_MS), claim)).toBe(true);
    expect(rollbackUnderway(deploying('payments@v41', T0 - CLOCK_SKEW_MS / 2), claim)).toBe(true);
  });

  it('does not count an older deployment of the same version: that is history, not our rollback', () => {
    expect(rollbackUnderway(deploying('payments@v41', T0 - CLOCK_SKEW_MS - 1), claim)).toBe(false);
    expect(rollbackUnderway(deploying('payments@v41', T0 - 10 * MINUTE), claim)).toBe(false);
  });

  it('counts any deployment that names the decision, however old its clock says it is', () => {
    expect(rollbackUnderway(deploying('payments@v41', T0 - 10 * MINUTE, 'dec-1'), claim)).toBe(true);
    expect(rollbackUnderway(deploying('payments@v41', T0 - 10 * MINUTE, 'dec-other'), claim)).toBe(false);
  });

  it('does not count a new deployment of another version', () => {
    expect(rollbackUnderway(deploying('payments@v43', T0 + 5_000), claim)).toBe(false);
  });

  it('counts the target already serving the claimed version, and a native rollback of a stop', () => {
    expect(
      rollbackUnderway({ ...deploying('payments@v43', T0), currentVersion: 'payments@v41' }, claim),
    ).toBe(true);
    const stop: ActiveRollback = { ...claim, action: 'stop' };
    expect(rollbackUnderway({ ...deploying('payments@v42', T0 - MINUTE), nativeRollback: true }, stop)).toBe(
      true,
    );
    expect(rollbackUnderway({ ...deploying('payments@v42', T0 - MINUTE), nativeRollback: true }, claim)).toBe(
      false,
    );
  });

  it('knows nothing of an invalid target', () => {
    expect(rollbackUnderway({ kind: 'invalid', why: 'gone' }, claim)).toBe(false);
  });
});
