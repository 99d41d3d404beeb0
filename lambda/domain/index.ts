export * from './decide-alarm';
export * from './deployment-event';
export * from './ledger';
export * from './model';
export * from './policy';
export * from './sweep';
