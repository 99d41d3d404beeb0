export * from './config-file';
export * from './defaults';
export * from './env';
export * from './events';
export * from './metrics';
export * from './reasons';
export * from './runtime-config';
export * from './table';
