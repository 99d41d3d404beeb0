import { mutatingCommand } from './mutating';

/** `watchdog pause [target] --reason <text>`. */
export const pauseCommand = mutatingCommand(
  'pause',
  (target) => `pausing ${target ?? 'the whole watchdog'}…`,
);
