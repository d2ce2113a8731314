import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type RunningSandbox, type SandboxOptions, startSandbox } from './start-sandbox';

export const EXO_SANDBOX = Symbol('EXO_SANDBOX');
export type ExoSandboxModuleOptions = SandboxOptions;

@Injectable()
class SandboxLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EXO_SANDBOX) private readonly sandbox: RunningSandbox) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox.close();
  }
}

/**
 * Runs the sandbox inside a Nest application (e.g. `easgate start` when no tenant is configured).
 * The running handle is injectable as `EXO_SANDBOX`.
 */
@Module({})
export class ExoSandboxModule {
  static forRoot(options: ExoSandboxModuleOptions): DynamicModule {
    return {
      module: ExoSandboxModule,
      providers: [{ provide: EXO_SANDBOX, useFactory: () => startSandbox(options) }, SandboxLifecycle],
      exports: [EXO_SANDBOX],
    };
  }
}
