export * from './console-gateway';
export * from './oidc';
export { Sessions, type Session, type SessionLifetimes, DEFAULT_SESSION_LIFETIMES } from './sessions';
