export * from './rules';
export * from './device-state';
export * from './exchange-view';
export * from './command-plan';
export * from './rules-preview';
export * from './errors';
export * from './wipe-status';
