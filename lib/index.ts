export * from './rollback-target';
export * from './rollback-watchdog';
export * from './watchdog-stack';
export type { ApprovalTimeoutAction, FreezeConfig, Mode, WatchdogConfig } from '../lambda/contract';
export * from './notification-channel';
