import type { RuntimePolicy } from '../contract';
import { MINUTE, type Millis } from './model';

/** A target's policy with every duration in milliseconds. */
export interface PolicyMs {
  readonly mode: RuntimePolicy['mode'];
  readonly cooldownMs: Millis;
  readonly bakeMs: Millis;
  readonly watchWindowMs: Millis;
  readonly maxRollbacks: { readonly count: number; readonly windowMs: Millis };
  readonly approvalTimeoutMs: Millis;
  readonly approvalTimeoutAction: RuntimePolicy['approvalTimeoutAction'];
  readonly verificationTimeoutMs: Millis;
}

export function policyMs(p: RuntimePolicy): PolicyMs {
  return {
    mode: p.mode,
    cooldownMs: p.cooldownMinutes * MINUTE,
    bakeMs: p.bakeMinutes * MINUTE,
    watchWindowMs: p.watchWindowMinutes * MINUTE,
    maxRollbacks: { count: p.maxRollbacks.count, windowMs: p.maxRollbacks.windowMinutes * MINUTE },
    approvalTimeoutMs: p.approvalTimeoutMinutes * MINUTE,
    approvalTimeoutAction: p.approvalTimeoutAction,
    verificationTimeoutMs: p.verificationTimeoutMinutes * MINUTE,
  };
}
