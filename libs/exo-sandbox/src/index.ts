export {
  startSandbox,
  DefaultOrganization,
  DefaultTenantId,
  type RunningSandbox,
  type SandboxAppOption,
  type SandboxOptions,
} from './start-sandbox';
export {
  Sandbox,
  defaultKnobs,
  type SandboxKnobs,
  type AppSummary,
  type ConnectDeviceInput,
} from './domain/sandbox';
export { DirectoryRoles, type DirectoryRoleName } from './domain/directory';
export type { FaultSpec, FaultKind, FaultTarget } from './domain/faults';
export type { AuditEntry } from './domain/audit-log';
export { ExoSandboxModule, EXO_SANDBOX, type ExoSandboxModuleOptions } from './exo-sandbox.module';
