export * from './console-gateway';
export * from './oidc';
export { LocalUsers } from './local-users';
export { MIN_PASSWORD_LENGTH, passwordProblem } from './passwords';
export { Sessions, type Session, type SessionLifetimes, DEFAULT_SESSION_LIFETIMES } from './sessions';
export * from './gateway-config';
