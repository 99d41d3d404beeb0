import type { OperatorCommand } from '../../contract';
import type { Command } from '../command';
import { EXIT } from '../io';
import { operatorCommand } from '../operator-command';
import { asCommandResult, renderCommandResult } from '../operator-output';

/**
 * A command that changes something (pause, resume, approve, rollback): send it, then print the watchdog's
 * CommandResult (as JSON with --json).
 */
export function mutatingCommand(
  name: Exclude<OperatorCommand, 'status' | 'history' | 'drill'>,
  waiting: (target: string | undefined) => string,
): Command {
  return operatorCommand(name, async (session) => {
    const { request } = session.invocation;
    const response = await session.send(request, waiting(request.target));
    if (!response.ok) return session.fail(response.error);
    const result = asCommandResult(response.result);
    session.print(result, () => renderCommandResult(result));
    return EXIT.ok;
  });
}
