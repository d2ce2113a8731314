import { signClientAssertion } from '@easgate/auth';
import type { Clock } from '../domain/clock';
import { VaultError, VaultErrorCode } from '../domain/vault-error';
import type { VaultMetrics } from '../infra/vault-metrics';
import { type AuditTrail, failureReason } from './audit-trail';
import { allowedAudiences, isAllowedAudience } from './connection-endpoints';
import type { SigningKeyCache } from './signing-key-cache';
import { notFound } from './tenant-connections';
import type { VaultStores } from './vault-stores';

export interface SignedClientAssertion {
  readonly assertion: string;
  readonly thumbprintSha1: string;
  readonly expiresAt: string;
}

/**
 * Signs client assertions with the ACTIVE certificate of a tenant connection, so the executor never
 * holds a key. Only the connection's own token endpoint is an accepted audience. Every signature
 * and every refused attempt is audited (the assertion itself never is). The connection, its active
 * certificate and its key come from the {@link SigningKeyCache}: read and unwrapped per signature, or
 * kept for short TTLs (the key imported, non-extractable) and dropped when they change.
 */
export class AssertionSigner {
  constructor(
    private readonly stores: VaultStores,
    /** Unwraps (or keeps, for VAULT_SIGNING_KEY_CACHE_MS) the active certificate's key. */
    private readonly keys: SigningKeyCache,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly metrics?: VaultMetrics,
  ) {}

  async sign(connectionId: string, audience: string, actor: string): Promise<SignedClientAssertion> {
    let tenantId: string | undefined;
    try {
      const epoch = this.keys.epoch;
      const { connection, active } = await this.keys.lookup(connectionId, epoch, () =>
        this.stores.db.read(async (m) => {
          const connection = await this.stores.connections.findById(m, connectionId);
          if (!connection) throw notFound(connectionId);
          return {
            connection,
            active: await this.stores.certificates.findActive(m, connection.tenantId, connection.id),
          };
        }),
      );
      tenantId = connection.tenantId;
      if (!active) {
        throw new VaultError(
          VaultErrorCode.NoActiveCertificate,
          `tenant connection ${connectionId} has no active certificate`,
        );
      }
      if (!isAllowedAudience(connection, audience)) {
        throw new VaultError(
          VaultErrorCode.AudienceNotAllowed,
          `the vault signs only for this connection's token endpoint (${allowedAudiences(connection)[0]})`,
        );
      }
      const signer = await this.keys.signerFor(active, connection.signingAlgorithm, epoch);
      // Signed outside any transaction (on the thread pool); the audit record joins the next group
      // commit: an assertion leaves the vault only once its audit record is committed.
      const signed = await signClientAssertion({
        clientId: connection.appId,
        tokenEndpoint: audience.trim(),
        certificate: signer.certificate,
        signingKey: signer.signingKey,
        now: this.clock.now(),
      });
      await this.audit.recordCommitted({
        actor,
        action: 'assertion.sign',
        outcome: 'success',
        tenantId: connection.tenantId,
        connectionId: connection.id,
        certificateId: active.id,
        thumbprintSha1: active.thumbprintSha1,
        details: {
          audience: audience.trim(),
          jti: signed.jti,
          algorithm: connection.signingAlgorithm,
          expiresAt: signed.expiresAt.toISOString(),
        },
      });
      this.metrics?.signed('success');
      return {
        assertion: signed.assertion,
        thumbprintSha1: active.thumbprintSha1,
        expiresAt: signed.expiresAt.toISOString(),
      };
    } catch (err) {
      this.metrics?.signed('failure', (err as { code?: string }).code ?? 'ERROR');
      await this.audit.recordAlone({
        actor,
        action: 'assertion.sign',
        outcome: 'failure',
        ...(tenantId !== undefined && { tenantId }),
        connectionId,
        reason: failureReason(err),
        details: { audience: audience.slice(0, 500) },
      });
      throw err;
    }
  }
}
