export * from './console-gateway';
export * from './identity-port';
export * from './oidc';
export { policyOf, ConsoleServices } from './route-policy';
