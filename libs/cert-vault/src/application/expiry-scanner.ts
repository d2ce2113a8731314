import type { Logger } from '@easgate/messaging';
import { autoRotationDue } from '../domain/auto-rotation';
import type { Clock } from '../domain/clock';
import { daysLeft, dueExpiryNotice } from '../domain/expiry-thresholds';
import { metadataOf } from '../infra/certificate.repository';
import type { VaultMetrics } from '../infra/vault-metrics';
import type { AuditTrail } from './audit-trail';
import type { Certificates } from './certificates';
import { publishLifecycle } from './lifecycle-events';
import type { Rotations } from './rotations';
import type { VaultStores } from './vault-stores';

export interface ScanResult {
  readonly scanned: number;
  readonly expiring: number;
  readonly expired: number;
  readonly retired: number;
  /** Automatic rotations started (VAULT_AUTO_ROTATE_DAYS). */
  readonly rotationsStarted: number;
}

export interface AutoRotation {
  readonly rotations: Rotations;
  readonly beforeDays: number;
  /** Remove a certificate's key from the Entra app when its overlap window ends. */
  readonly removeRetiredKeys: boolean;
}

/**
 * Publishes `expiring` at 30/14/7/1 days and `expired` once per certificate: the thresholds sent are
 * stored in the same transaction as the outbox row, so a restart neither repeats nor loses one.
 * Also retires replaced certificates whose overlap window has ended.
 */
export class ExpiryScanner {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly stores: VaultStores,
    private readonly certificates: Certificates,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly autoRotation?: AutoRotation,
    private readonly metrics?: VaultMetrics,
  ) {}

  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.scanNow()
        .catch((err: unknown) =>
          this.logger.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'expiry scan failed: will retry',
          ),
        )
        .finally(() => {
          this.running = undefined;
          this.timer = setTimeout(tick, intervalMs);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async scanNow(): Promise<ScanResult> {
    const now = this.clock.now();
    const watched = await this.stores.db.read((m) =>
      this.stores.certificates.listWithStatus(m, ['active', 'pending', 'retiring']),
    );
    let expiring = 0;
    let expired = 0;
    for (const certificate of watched) {
      const sent = await this.stores.db.transaction(async (tx) => {
        const emitted = await this.stores.expiryNotices.emittedFor(tx, certificate.id);
        const decision = dueExpiryNotice(new Date(certificate.notAfter), now, emitted);
        if (!decision.notice) return undefined;
        const notice = decision.notice;
        const publishedThreshold = notice.kind === 'expired' ? 0 : notice.thresholdDays;
        await this.stores.expiryNotices.record(
          tx,
          certificate.id,
          decision.record.map((t) => ({ thresholdDays: t, published: t === publishedThreshold })),
          now.toISOString(),
        );
        await publishLifecycle(this.stores.outbox, tx, notice.kind, metadataOf(certificate), now, {
          ...(notice.kind === 'expiring' && { thresholdDays: notice.thresholdDays }),
        });
        await this.audit.record(tx, {
          actor: 'cert-vault',
          action: notice.kind === 'expired' ? 'certificate.expired' : 'certificate.expiring',
          outcome: 'success',
          tenantId: certificate.tenantId,
          connectionId: certificate.connectionId,
          certificateId: certificate.id,
          thumbprintSha1: certificate.thumbprintSha1,
          details: {
            daysLeft: daysLeft(new Date(certificate.notAfter), now),
            thresholdDays: publishedThreshold,
          },
        });
        return notice.kind;
      });
      if (sent === 'expiring') expiring++;
      if (sent === 'expired') expired++;
    }
    const due = await this.stores.db.read((m) =>
      this.stores.certificates.listRetiringDue(m, now.toISOString()),
    );
    for (const certificate of due) {
      const retired = await this.stores.db.transaction(async (tx) => {
        const fresh = await this.stores.certificates.findById(tx, certificate.tenantId, certificate.id);
        if (fresh?.status !== 'retiring') return false;
        await this.certificates.retireIn(tx, fresh, 'cert-vault', 'overlap window ended');
        return true;
      });
      if (retired && this.autoRotation?.removeRetiredKeys) {
        await this.autoRotation.rotations.removeRetiredKey(certificate, 'cert-vault');
      }
    }
    const rotationsStarted = await this.rotateDue(now);
    this.metrics?.certificates(
      await this.stores.db.read((m) =>
        this.stores.certificates.listWithStatus(m, ['active', 'pending', 'retiring']),
      ),
    );
    if (expiring + expired + due.length + rotationsStarted > 0) {
      this.logger.info(
        { scanned: watched.length, expiring, expired, retired: due.length, rotationsStarted },
        'expiry scan',
      );
    }
    return { scanned: watched.length, expiring, expired, retired: due.length, rotationsStarted };
  }

  /**
   * Staged rotation ahead of expiry, for connections whose Entra application object id is known
   * (the vault can add the new key itself). A failed attempt rolls back and is retried a day later.
   */
  private async rotateDue(now: Date): Promise<number> {
    if (!this.autoRotation || this.autoRotation.beforeDays <= 0) return 0;
    const { rotations, beforeDays } = this.autoRotation;
    const active = await this.stores.db.read((m) => this.stores.certificates.listWithStatus(m, ['active']));
    let started = 0;
    for (const certificate of active) {
      const [connection, history] = await this.stores.db.read(
        async (m) =>
          [
            await this.stores.connections.findById(m, certificate.connectionId),
            await this.stores.rotations.listByConnection(m, certificate.tenantId, certificate.connectionId),
          ] as const,
      );
      if (!connection?.applicationObjectId) continue;
      if (history.some((r) => r.state === 'started' || r.state === 'key-added')) continue;
      const last = history[history.length - 1];
      const due = autoRotationDue({
        notAfter: new Date(certificate.notAfter),
        now,
        rotateBeforeDays: beforeDays,
        ...(last && { lastRotationStartedAt: new Date(last.startedAt) }),
        retryAfterHours: 24,
      });
      if (!due) continue;
      try {
        const rotation = await rotations.start(
          connection.id,
          { reason: `automatic rotation: ${daysLeft(new Date(certificate.notAfter), now)} day(s) left` },
          'cert-vault',
        );
        started++;
        this.logger.info(
          { connectionId: connection.id, rotationId: rotation.id, state: rotation.state },
          'automatic rotation',
        );
      } catch (err) {
        this.logger.warn(
          { connectionId: connection.id, err: err instanceof Error ? err.message : String(err) },
          'automatic rotation failed to start',
        );
      }
    }
    return started;
  }
}
