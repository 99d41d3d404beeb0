import { WATCHDOG_SCOPE, type RuntimeConfig, type RuntimeTarget } from '../contract';
import type { Millis, Pause, TargetState } from '../domain';
import { applyToTarget } from './apply-to-target';
import { messageLocation, type UseCaseDeps } from './deps';
import type { LoadedTargets } from './ports';
import { pauseNotification } from './notifications';

/** Who ends a pause that was given a duration (`pause --for`): the watchdog itself, in the audit. */
export const PAUSE_EXPIRY_PRINCIPAL = 'watchdog';

export function pauseExpired(pause: Pause | undefined, now: Millis): pause is Pause & { until: Millis } {
  return pause?.until !== undefined && pause.until <= now;
}

/**
 * Ends the whole watchdog's pause once its duration is over (as `loaded`, the sweep's own read, shows it):
 * clears it, forgets the transitions decided while paused so an alarm still firing is decided again, and
 * audits and announces the end. Returns whether it ended one.
 */
export async function endExpiredGlobalPause(
  deps: UseCaseDeps,
  config: RuntimeConfig,
  loaded: LoadedTargets,
  requestId: string,
): Promise<boolean> {
  const now = deps.clock.now();
  const pause = loaded.globalPause;
  if (!pauseExpired(pause, now)) return false;
  await deps.store.setGlobalPause(undefined);
  for (const target of config.targets) {
    const state = loaded.targets.get(target.id);
    if (state && state.handled.length > 0) {
      await applyToTarget(deps, target, state, (s) => ({ next: forgetHandled(s), effects: [] }), requestId);
    }
  }
  await report(deps, undefined, pause, now, requestId);
  return true;
}

/**
 * Ends a target's pause once its duration is over, under the target's lock (a pause an operator set again
 * meanwhile has another `until` and stays). Returns the stored state.
 */
export async function endExpiredTargetPause(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  requestId: string,
): Promise<TargetState> {
  let ended: Pause | undefined;
  const next = await applyToTarget(
    deps,
    target,
    state,
    (s, now) => {
      ended = pauseExpired(s.paused, now) ? s.paused : undefined;
      if (!ended) return { next: s, effects: [] };
      const { paused: _over, ...rest } = s;
      return { next: forgetHandled(rest), effects: [] };
    },
    requestId,
  );
  if (ended) await report(deps, target, ended, deps.clock.now(), requestId);
  return next;
}

function forgetHandled(state: TargetState): TargetState {
  return state.handled.length === 0 ? state : { ...state, handled: [] };
}

async function report(
  deps: UseCaseDeps,
  target: RuntimeTarget | undefined,
  pause: Pause,
  now: Millis,
  requestId: string,
): Promise<void> {
  const what = target ? target.id : 'The watchdog';
  await Promise.all([
    deps.reporter.audit({
      type: 'operator',
      at: now,
      target: target?.id ?? WATCHDOG_SCOPE,
      command: 'resume',
      by: PAUSE_EXPIRY_PRINCIPAL,
      detail: `${what} resumed automatic action: the pause ${pause.by} set at ${new Date(pause.at).toISOString()} for "${pause.reason}" ended at ${new Date(pause.until ?? now).toISOString()}.`,
      requestId,
    }),
    deps.reporter.notify(
      pauseNotification(
        {
          change: 'resumed',
          target: target?.id,
          by: PAUSE_EXPIRY_PRINCIPAL,
          expired: true,
          at: now,
          reason: pause.reason,
          ...(pause.until !== undefined ? { until: pause.until } : {}),
        },
        messageLocation(deps),
      ),
    ),
  ]);
}
