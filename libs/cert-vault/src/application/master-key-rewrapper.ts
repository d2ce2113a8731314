import type { Logger } from '@easgate/messaging';
import type { EnvelopeCipher } from '../domain/envelope-encryption';
import type { AuditTrail } from './audit-trail';
import type { SigningKeyCache } from './signing-key-cache';
import type { VaultStores } from './vault-stores';

/**
 * Master-key rotation without downtime: with the new key current and the old one listed as previous,
 * every data key is re-wrapped under the new key (batch by batch, each in its own transaction),
 * while signing keeps working. Afterwards the old key can be removed from the configuration.
 */
export class MasterKeyRewrapper {
  constructor(
    private readonly stores: VaultStores,
    private readonly cipher: EnvelopeCipher,
    private readonly currentKeyId: string,
    private readonly audit: AuditTrail,
    private readonly logger: Logger,
    private readonly keys?: SigningKeyCache,
  ) {}

  async rewrapAll(actor: string): Promise<{ rewrapped: number; masterKeyId: string }> {
    let rewrapped = 0;
    for (;;) {
      const batch = await this.stores.db.transaction(async (tx) => {
        const stale = await this.stores.certificates.listWrappedByOtherKeys(tx, this.currentKeyId, 50);
        for (const certificate of stale) {
          await this.stores.certificates.save(tx, {
            ...certificate,
            sealed: this.cipher.rewrap(certificate.id, certificate.sealed),
          });
          this.keys?.evict(certificate.connectionId, tx);
        }
        if (stale.length > 0) {
          await this.audit.record(tx, {
            actor,
            action: 'master-key.rewrap',
            outcome: 'success',
            details: { certificates: stale.length, masterKeyId: this.currentKeyId },
          });
        }
        return stale.length;
      });
      rewrapped += batch;
      if (batch < 50) break;
    }
    if (rewrapped > 0)
      this.logger.info(
        { rewrapped, masterKeyId: this.currentKeyId },
        'data keys re-wrapped under the current master key',
      );
    return { rewrapped, masterKeyId: this.currentKeyId };
  }
}
