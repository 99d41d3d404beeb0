import { mutatingCommand } from './mutating';

/** `watchdog resume [target]`. */
export const resumeCommand = mutatingCommand(
  'resume',
  (target) => `resuming ${target ?? 'the whole watchdog'}…`,
);
