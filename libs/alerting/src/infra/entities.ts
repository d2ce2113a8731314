import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'alert' })
export class AlertEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  fingerprint!: string;
  @Column({ type: 'varchar', length: 200 })
  tenant!: string;
  @Column({ type: 'varchar', length: 64 })
  kind!: string;
  /** JSON object. */
  @Column({ type: 'text' })
  labels!: string;
  @Column({ type: 'varchar', length: 16 })
  severity!: string;
  @Column({ type: 'varchar', length: 500 })
  summary!: string;
  @Column({ type: 'text' })
  description!: string;
  @Column({ type: 'varchar', length: 1000 })
  runbook!: string;
  @Column({ type: 'varchar', length: 16 })
  status!: string;
  @Column({ name: 'starts_at', type: 'varchar', length: 40 })
  startsAt!: string;
  @Column({ name: 'ends_at', type: 'varchar', length: 40, nullable: true })
  endsAt!: string | null;
  @Column({ name: 'last_seen_at', type: 'varchar', length: 40 })
  lastSeenAt!: string;
  @Column({ name: 'clearing_since', type: 'varchar', length: 40, nullable: true })
  clearingSince!: string | null;
  @Column({ type: 'integer' })
  occurrences!: number;
  @Column({ type: 'integer' })
  revision!: number;
  @Column({ type: 'integer' })
  flaps!: number;
  @Column({ name: 'acknowledged_at', type: 'varchar', length: 40, nullable: true })
  acknowledgedAt!: string | null;
  @Column({ name: 'acknowledged_by', type: 'varchar', length: 200, nullable: true })
  acknowledgedBy!: string | null;
  @Column({ name: 'silenced_until', type: 'varchar', length: 40, nullable: true })
  silencedUntil!: string | null;
}

@Entity({ name: 'alert_subscription' })
export class SubscriptionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;
  @Column({ type: 'varchar', length: 200 })
  tenant!: string;
  @Column({ type: 'varchar', length: 200 })
  name!: string;
  /** JSON array of alert kinds (empty: all). */
  @Column({ type: 'text' })
  kinds!: string;
  @Column({ name: 'min_severity', type: 'varchar', length: 16 })
  minSeverity!: string;
  @Column({ name: 'destination_type', type: 'varchar', length: 32 })
  destinationType!: string;
  /** JSON of the destination; a webhook's secret sealed by the alerting secrets key (never returned by the API). */
  @Column({ type: 'text' })
  destination!: string;
  @Column({ type: 'boolean' })
  enabled!: boolean;
  @Column({ name: 'created_at', type: 'varchar', length: 40 })
  createdAt!: string;
  @Column({ name: 'consecutive_failures', type: 'integer' })
  consecutiveFailures!: number;
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}

@Entity({ name: 'alert_delivery' })
@Index('alert_delivery_once', ['subscriptionId', 'fingerprint', 'revision'], { unique: true })
export class DeliveryEntity {
  @PrimaryGeneratedColumn('increment')
  id!: number;
  @Column({ name: 'subscription_id', type: 'varchar', length: 64 })
  subscriptionId!: string;
  @Column({ type: 'varchar', length: 200 })
  tenant!: string;
  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;
  @Column({ type: 'integer' })
  revision!: number;
  @Column({ name: 'alert_status', type: 'varchar', length: 16 })
  alertStatus!: string;
  /** JSON of the OpsAlertV1 at that revision. */
  @Column({ type: 'text' })
  payload!: string;
  /** pending | delivered | failed (given up). */
  @Column({ type: 'varchar', length: 16 })
  state!: string;
  @Column({ type: 'integer' })
  attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'varchar', length: 40 })
  nextAttemptAt!: string;
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
  @Column({ name: 'created_at', type: 'varchar', length: 40 })
  createdAt!: string;
  @Column({ name: 'delivered_at', type: 'varchar', length: 40, nullable: true })
  deliveredAt!: string | null;
}

/** What the rules remember between signals: certificates' expiry, throttling since, discovery schedule, dead letters. */
@Entity({ name: 'alert_watch' })
export class WatchEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  tenant!: string;
  @PrimaryColumn({ type: 'varchar', length: 400 })
  name!: string;
  @Column({ type: 'varchar', length: 40 })
  since!: string;
  @Column({ type: 'text' })
  data!: string;
}

export const alertingEntities = [AlertEntity, SubscriptionEntity, DeliveryEntity, WatchEntity];
