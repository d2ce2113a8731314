import { buildClientAssertion } from '@easgate/auth';
import type { Clock } from '../domain/clock';
import type { EnvelopeCipher } from '../domain/envelope-encryption';
import { VaultError, VaultErrorCode } from '../domain/vault-error';
import type { VaultMetrics } from '../infra/vault-metrics';
import { type AuditTrail, failureReason } from './audit-trail';
import { unsealCertificate } from './certificate-material';
import { allowedAudiences, isAllowedAudience } from './connection-endpoints';
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
 * and every refused attempt is audited (the assertion itself never is).
 */
export class AssertionSigner {
  constructor(
    private readonly stores: VaultStores,
    private readonly cipher: EnvelopeCipher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly metrics?: VaultMetrics,
  ) {}

  async sign(connectionId: string, audience: string, actor: string): Promise<SignedClientAssertion> {
    let tenantId: string | undefined;
    try {
      return await this.stores.db.transaction(async (tx) => {
        const connection = await this.stores.connections.findById(tx, connectionId);
        if (!connection) throw notFound(connectionId);
        tenantId = connection.tenantId;
        const active = await this.stores.certificates.findActive(tx, connection.tenantId, connection.id);
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
        const now = this.clock.now();
        const { privateKey, certificate } = unsealCertificate(this.cipher, active);
        const signed = buildClientAssertion({
          clientId: connection.appId,
          tokenEndpoint: audience.trim(),
          certificate,
          privateKey,
          now,
          algorithm: connection.signingAlgorithm,
        });
        await this.audit.record(tx, {
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
      });
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
