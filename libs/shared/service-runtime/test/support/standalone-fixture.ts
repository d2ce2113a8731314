// Run as a child process by standalone.medium-spec: the fixture service through runServiceStandalone,
// as an app's main.ts runs it. FIXTURE_MODE=fail-bootstrap makes its module fail at start, as a
// vault that cannot unwrap its keys does, after the outbox relay and the consumer have started.
import 'reflect-metadata';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { runServiceStandalone, type ServiceDefinition } from '../../src';
import { DeviceStateEntity, DeviceStateTable1764100000001, deviceStateModule } from './device-state.fixture';

@Injectable()
class FailsAtBootstrap implements OnApplicationBootstrap {
  onApplicationBootstrap(): void {
    throw new Error('cannot unwrap the data keys: wrong master key');
  }
}

const env = process.env;
const devices = deviceStateModule(
  {
    input: env['FIXTURE_INPUT'] ?? 'test.fixture.in',
    output: env['FIXTURE_OUTPUT'] ?? 'test.fixture.out',
    handleDelayMs: Number(env['FIXTURE_HANDLE_DELAY_MS'] ?? 0),
  },
  { attempts: new Map() },
);

const definition: ServiceDefinition = {
  name: 'runtime-fixture',
  defaultPort: 0,
  entities: [DeviceStateEntity],
  migrations: [DeviceStateTable1764100000001],
  module: () =>
    env['FIXTURE_MODE'] === 'fail-bootstrap'
      ? { module: class FailingModule {}, imports: [devices], providers: [FailsAtBootstrap] }
      : { module: devices },
};
runServiceStandalone(definition);
