import { Controller, Get, Inject, Module, NotFoundException, Param } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Column, Entity, type MigrationInterface, PrimaryColumn, type QueryRunner, Table } from 'typeorm';
import { EasgateError } from '@easgate/contracts';
import { z } from 'zod';
import { type Envelope, EnvelopePipe, type EventContext, Inbox, Outbox } from '@easgate/messaging';
import { noTenant } from '@easgate/identity';
import { Access } from '../../src/identity/access.decorator';

/** A small service used to prove the messaging building blocks: it counts state changes per device. */
@Entity({ name: 'test_device_state' })
export class DeviceStateEntity {
  @PrimaryColumn({ name: 'device_id', type: 'varchar', length: 100 })
  deviceId!: string;

  @Column({ type: 'varchar', length: 50 })
  state!: string;

  @Column({ type: 'integer' })
  changes!: number;
}

export class DeviceStateTable1764100000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'test_device_state',
        columns: [
          { name: 'device_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'state', type: 'varchar', length: '50' },
          { name: 'changes', type: 'integer' },
        ],
      }),
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('test_device_state');
  }
}

export const DeviceReportV1 = z.object({
  deviceId: z.string().min(1),
  state: z.enum(['compliant', 'noncompliant', 'poison']),
});
export type DeviceReportV1 = z.infer<typeof DeviceReportV1>;

export const DEVICE_TOPICS = Symbol('DEVICE_TOPICS');
export interface DeviceTopics {
  input: string;
  output: string;
  /** Time each handler spends inside its transaction (to have handlers in flight at a shutdown). */
  handleDelayMs?: number;
}

export interface HandlerProbe {
  attempts: Map<string, number>;
}
export const HANDLER_PROBE = Symbol('HANDLER_PROBE');

export function deviceStateController(inputTopic: string) {
  @Controller()
  class DeviceStateHandler {
    constructor(
      @Inject(Inbox) private readonly inbox: Inbox,
      @Inject(Outbox) private readonly outbox: Outbox,
      @Inject(DEVICE_TOPICS) private readonly topics: DeviceTopics,
      @Inject(HANDLER_PROBE) private readonly probe: HandlerProbe,
    ) {}

    @Get('devices/:id')
    @Access('auditor', noTenant)
    async device(@Param('id') id: string) {
      const found = await this.inbox.database.read((m) =>
        m.getRepository(DeviceStateEntity).findOneBy({ deviceId: id }),
      );
      if (!found) throw new NotFoundException({ code: 'DEVICE_NOT_FOUND', message: `no device ${id}` });
      return found;
    }

    @EventPattern(inputTopic)
    async handle(
      @Payload(new EnvelopePipe(DeviceReportV1)) event: Envelope<DeviceReportV1>,
      @Ctx() ctx: EventContext,
    ) {
      this.probe.attempts.set(event.id, ctx.attempt);
      if (event.data.state === 'poison') {
        throw new EasgateError('TEST_ALWAYS_FAILS', `device ${event.data.deviceId} cannot be handled`, true);
      }
      await this.inbox.once(event, async (tx) => {
        if (this.topics.handleDelayMs) await new Promise((r) => setTimeout(r, this.topics.handleDelayMs));
        const repo = tx.getRepository(DeviceStateEntity);
        const current = await repo.findOneBy({ deviceId: event.data.deviceId });
        await repo.save({
          deviceId: event.data.deviceId,
          state: event.data.state,
          changes: (current?.changes ?? 0) + 1,
        });
        await this.outbox.enqueue(tx, this.topics.output, event.data.deviceId, {
          ...event,
          id: `${event.id}/out`,
          type: 'io.easgate.test.state-changed',
        });
      });
    }
  }
  return DeviceStateHandler;
}

export function deviceStateModule(topics: DeviceTopics, probe: HandlerProbe) {
  @Module({
    controllers: [deviceStateController(topics.input)],
    providers: [
      { provide: DEVICE_TOPICS, useValue: topics },
      { provide: HANDLER_PROBE, useValue: probe },
    ],
  })
  class DeviceStateModule {}
  return DeviceStateModule;
}
