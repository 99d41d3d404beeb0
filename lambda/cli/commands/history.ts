import { operatorCommand } from '../operator-command';
import { asHistoryItems, renderHistory } from '../operator-output';
import { formatTime } from '../table';
import { EXIT } from '../io';

/** `watchdog history [target] [--since] [--limit]`: the audit log, oldest first. */
export const historyCommand = operatorCommand('history', async (session) => {
  const { request } = session.invocation;
  const response = await session.send(request, 'reading the audit log…');
  if (!response.ok) return session.fail(response.error);
  const items = asHistoryItems(response.result);
  session.print(items, () => {
    const scope = [
      request.target !== undefined ? ` for ${request.target}` : '',
      request.sinceMs !== undefined ? ` since ${formatTime(new Date(request.sinceMs).toISOString())}` : '',
    ].join('');
    return renderHistory(items, scope);
  });
  return EXIT.ok;
});
