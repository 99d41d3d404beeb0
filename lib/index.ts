export * from './rollback-target';
export * from './rollback-watchdog';
export * from './watchdog-stack';
export type { Mode, WatchdogConfig } from '../lambda/contract';
