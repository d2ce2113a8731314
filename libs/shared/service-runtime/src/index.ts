export * from './service-definition';
export * from './start-service';
export * from './api-auth.guard';
export * from './exception.filter';
export * from './metrics';
export { HealthController, SERVICE_NAME } from './health.controller';
export * from './run-standalone';
export * from './env-config';
export * from './periodic-task';
