import { mutatingCommand } from './mutating';

/** `watchdog approve <target>`. */
export const approveCommand = mutatingCommand(
  'approve',
  (target) => `approving the rollback of ${target ?? ''}…`,
);
