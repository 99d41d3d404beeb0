import { operatorCommand } from '../operator-command';
import { asStatusResult, renderStatus } from '../operator-output';
import { EXIT } from '../io';

/** `watchdog status [target]`: per target, versions, mode, pause, last decision, cooldown. */
export const statusCommand = operatorCommand('status', async (session) => {
  const { request } = session.invocation;
  const response = await session.send(request, 'asking the watchdog for its status…');
  if (!response.ok) return session.fail(response.error);
  const status = asStatusResult(response.result);
  session.print(status, () => renderStatus(status, session.environment.now()));
  return EXIT.ok;
});
