export * from './decide-alarm';
export * from './deployment-event';
export * from './ledger';
export * from './model';
export * from './operator';
export * from './policy';
export * from './rollback';
export * from './sweep';
