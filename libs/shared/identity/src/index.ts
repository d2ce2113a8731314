export * from './identity';
export * from './policy';
export * from './identity-error';
export * from './api-tokens';
export * from './service-tokens';
export * from './key-files';
