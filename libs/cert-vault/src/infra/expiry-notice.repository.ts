import type { Tx } from '@easgate/persistence';
import { ExpiryNoticeEntity } from './entities';

export class ExpiryNoticeRepository {
  async emittedFor(tx: Tx, certificateId: string): Promise<Set<number>> {
    const rows = await tx.getRepository(ExpiryNoticeEntity).findBy({ certificateId });
    return new Set(rows.map((r) => r.thresholdDays));
  }

  /** `published` is false for thresholds recorded as moot (skipped in favour of a more urgent one). */
  async record(
    tx: Tx,
    certificateId: string,
    thresholds: { thresholdDays: number; published: boolean }[],
    at: string,
  ): Promise<void> {
    if (thresholds.length === 0) return;
    await tx.getRepository(ExpiryNoticeEntity).insert(
      thresholds.map((t) => ({
        certificateId,
        thresholdDays: t.thresholdDays,
        published: t.published,
        recordedAt: at,
      })),
    );
  }
}
