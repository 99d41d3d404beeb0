import { mutatingCommand } from './mutating';

/** `watchdog rollback <target> [--to <version>] --reason <text> [--force]`. */
export const rollbackCommand = mutatingCommand(
  'rollback',
  (target) => `asking the watchdog to roll back ${target ?? ''}…`,
);
