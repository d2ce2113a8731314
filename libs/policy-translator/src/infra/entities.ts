import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'translator_rules' })
export class TranslatorRulesEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) tenant!: string;
  @PrimaryColumn({ type: 'integer' }) version!: number;
  @Column({ type: 'text' }) rules!: string;
  @Column({ name: 'created_at', type: 'varchar', length: 40 }) createdAt!: string;
  @Column({ name: 'created_by', type: 'varchar', length: 200 }) createdBy!: string;
}

@Entity({ name: 'device_desired_state' })
@Index('device_desired_state_mailbox', ['tenant', 'mailbox'])
@Index('device_desired_state_state', ['tenant', 'state', 'mdmDeviceId'])
@Index('device_desired_state_access', ['tenant', 'access', 'mdmDeviceId'])
export class DeviceDesiredStateEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) tenant!: string;
  @PrimaryColumn({ name: 'mdm_device_id', type: 'varchar', length: 200 }) mdmDeviceId!: string;
  @Column({ type: 'varchar', length: 320 }) mailbox!: string;
  /** MDM compliance state and desired access, copied out of state_json for the device list's filters. */
  @Column({ type: 'varchar', length: 40, default: '' }) state!: string;
  @Column({ type: 'varchar', length: 20, default: '' }) access!: string;
  @Column({ name: 'state_json', type: 'text' }) stateJson!: string;
  @Column({ name: 'updated_at', type: 'varchar', length: 40 }) updatedAt!: string;
}

@Entity({ name: 'exchange_view' })
export class ExchangeViewEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 }) tenant!: string;
  @PrimaryColumn({ type: 'varchar', length: 320 }) mailbox!: string;
  @Column({ name: 'view_json', type: 'text' }) viewJson!: string;
  @Column({ name: 'updated_at', type: 'varchar', length: 40 }) updatedAt!: string;
}

@Entity({ name: 'compliance_event' })
@Index('compliance_event_device', ['tenant', 'mdmDeviceId'])
export class ComplianceEventEntity {
  @PrimaryGeneratedColumn('increment') id!: number;
  @Column({ type: 'varchar', length: 200 }) tenant!: string;
  @Column({ name: 'mdm_device_id', type: 'varchar', length: 200 }) mdmDeviceId!: string;
  @Column({ name: 'event_source', type: 'varchar', length: 1000 }) eventSource!: string;
  @Column({ name: 'event_id', type: 'varchar', length: 500 }) eventId!: string;
  @Column({ type: 'varchar', length: 40 }) state!: string;
  @Column({ type: 'varchar', length: 20, nullable: true }) sequence!: string | null;
  @Column({ name: 'observed_at', type: 'varchar', length: 40 }) observedAt!: string;
  @Column({ type: 'varchar', length: 20 }) outcome!: string;
  @Column({ name: 'received_at', type: 'varchar', length: 40 }) receivedAt!: string;
}

@Entity({ name: 'translator_command' })
@Index('translator_command_device', ['tenant', 'mdmDeviceId'])
export class CommandLogEntity {
  @PrimaryColumn({ name: 'command_id', type: 'varchar', length: 36 }) commandId!: string;
  @Column({ type: 'varchar', length: 200 }) tenant!: string;
  @Column({ type: 'varchar', length: 320 }) mailbox!: string;
  @Column({ name: 'mdm_device_id', type: 'varchar', length: 200, nullable: true }) mdmDeviceId!:
    string | null;
  @Column({ name: 'device_id', type: 'varchar', length: 64, nullable: true }) deviceId!: string | null;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'text' }) reason!: string;
  @Column({ name: 'cause_event_id', type: 'varchar', length: 500, nullable: true }) causeEventId!:
    string | null;
  @Column({ name: 'created_at', type: 'varchar', length: 40 }) createdAt!: string;
  @Column({ type: 'varchar', length: 20, nullable: true }) outcome!: string | null;
  @Column({ name: 'completed_at', type: 'varchar', length: 40, nullable: true }) completedAt!: string | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  /** The result's detail (why skipped; what a wipe became). */
  @Column({ type: 'text', nullable: true }) detail!: string | null;
  /** The result's `wipe` (JSON): account-only fallback, recovered after a crash. */
  @Column({ name: 'wipe_json', type: 'text', nullable: true }) wipeJson!: string | null;
}

export const translatorEntities = [
  TranslatorRulesEntity,
  DeviceDesiredStateEntity,
  ExchangeViewEntity,
  ComplianceEventEntity,
  CommandLogEntity,
];
