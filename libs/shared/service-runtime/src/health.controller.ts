import { Controller, Get, Header, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OutboxRelay, SERVICE_DATABASE } from '@easgate/messaging';
import type { Database } from '@easgate/persistence';
import { register } from 'prom-client';
import { PublicRoute } from './identity/access.decorator';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

@ApiExcludeController()
@PublicRoute()
@Controller()
export class HealthController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(SERVICE_DATABASE) private readonly database: Database,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok', service: this.service };
  }

  @Get('health/ready')
  async ready() {
    try {
      await this.database.read((m) => m.query('SELECT 1'));
      const outboxBacklog = await this.relay.pendingCount();
      return { status: 'ok', service: this.service, database: this.database.kind, outboxBacklog };
    } catch (err) {
      throw new ServiceUnavailableException({
        code: 'NOT_READY',
        message: `database unavailable: ${(err as Error).message}`,
      });
    }
  }

  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
