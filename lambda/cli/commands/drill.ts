import type { HistoryItem, OperatorRequest } from '../../contract';
import { formatMillis } from '../../boundary/duration';
import { EXIT } from '../io';
import { operatorCommand } from '../operator-command';
import {
  asCommandResult,
  asHistoryItems,
  describeDrillDecision,
  renderCommandResult,
} from '../operator-output';

/** How often `drill` looks for its decision in the history. */
export const DRILL_POLL_INTERVAL_MS = 2_000;
/** The history is asked from this long before the drill started, in case the two clocks disagree. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Enough history items per poll to find the drill's decision among a busy target's other entries. */
const POLL_LIMIT = 100;

/**
 * `watchdog drill <target> [--live] [--alarm] [--timeout]`: starts a drill, then polls the target's history
 * until the decision carrying the drill's id appears, and reports it with the time from alarm to decision.
 */
export const drillCommand = operatorCommand('drill', async (session) => {
  const { invocation, environment, spinner } = session;
  const { request, timeoutMs } = invocation;
  const startedAt = environment.now();
  const response = await session.send(request, `starting a drill on ${request.target}…`);
  if (!response.ok) return session.fail(response.error);
  const result = asCommandResult(response.result);
  if (!result.drill) {
    // Nothing was forced (the watchdog said why): there is no decision to wait for.
    session.print(result, () => renderCommandResult(result));
    return EXIT.ok;
  }
  const { id, alarm, live } = result.drill;
  const history: OperatorRequest = {
    command: 'history',
    target: request.target,
    sinceMs: Math.max(0, startedAt - CLOCK_SKEW_MS),
    limit: POLL_LIMIT,
  };
  const waiting = `drill ${id}: ${alarm} forced to ALARM, waiting for the decision on ${request.target}…`;
  let decision: HistoryItem | undefined;
  for (;;) {
    const page = await session.send(history, waiting);
    if (!page.ok) return session.fail(page.error);
    decision = asHistoryItems(page.result).find((item) => item.drill?.id === id);
    const left = startedAt + timeoutMs - environment.now();
    if (decision !== undefined || left <= 0) break;
    spinner.update(waiting);
    await environment.sleep(Math.min(DRILL_POLL_INTERVAL_MS, left));
  }

  const json = {
    drill: { target: request.target, id, alarm, live },
    message: result.message,
    decision: decision ?? null,
    alarmToDecisionMs: decision?.drill?.alarmToDecisionMs ?? null,
  };
  if (decision === undefined) {
    session.print(json, () => `${result.message}\n`);
    session.io.stderr.write(
      `watchdog drill: no decision for drill ${id} on ${request.target} within ${formatMillis(timeoutMs)}. ` +
        `The alarm may not have reached the watchdog yet: check \`watchdog history ${request.target} --since 10m\`, or wait longer with --timeout.\n`,
    );
    return EXIT.unavailable;
  }
  const found = decision;
  session.print(json, () =>
    [
      `Drill ${id} on ${request.target} (${live ? 'live' : 'dry run'}): ${alarm} forced to ALARM.`,
      `  decision:           ${describeDrillDecision(found, live)}`,
      `  alarm to decision:  ${found.drill ? formatMillis(found.drill.alarmToDecisionMs) : '-'}`,
      `  detail:             ${found.detail}`,
      live ? '' : '  Nothing was changed: a drill is a dry run unless --live.',
      '',
    ]
      .filter((line, i, all) => line !== '' || i === all.length - 1)
      .join('\n'),
  );
  return EXIT.ok;
});
