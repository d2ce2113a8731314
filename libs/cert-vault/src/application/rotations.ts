import { randomUUID } from 'node:crypto';
import { buildClientAssertion, buildGraphProofOfPossession } from '@easgate/auth';
import type { CertificateMetadata, TenantConnection } from '../domain/certificate';
import type { Clock } from '../domain/clock';
import type { EnvelopeCipher } from '../domain/envelope-encryption';
import {
  type Rotation,
  applyRotationEvent,
  awaitsUploadConfirmation,
  compensationsFor,
  isFinished,
} from '../domain/rotation';
import { VaultError, VaultErrorCode } from '../domain/vault-error';
import { type StoredCertificate, metadataOf } from '../infra/certificate.repository';
import type { IdentityPlatform } from '../infra/identity-platform.client';
import { type AuditTrail, failureReason } from './audit-trail';
import { unsealCertificate } from './certificate-material';
import type { Certificates, CreateCertificateInput } from './certificates';
import { cloudOf, graphScopeOf, tokenEndpointOf } from './connection-endpoints';
import { publishLifecycle } from './lifecycle-events';
import type { VaultStores } from './vault-stores';

export interface StartRotationInput {
  /** An existing pending certificate; otherwise a new self-signed one is created. */
  readonly certificateId?: string;
  readonly create?: Partial<CreateCertificateInput>;
  /** Add the new certificate to the Entra app with Graph addKey (default: when the connection has an application object id). */
  readonly uploadToEntra?: boolean;
  readonly overlapHours?: number;
  /**
   * false: stop after the pending/addKey stage; complete later. Without Graph the rotation always stops
   * there (unless `uploadConfirmed`): an administrator uploads the .cer to Entra and confirms it first.
   */
  readonly complete?: boolean;
  /** Without Graph: the pending certificate (`certificateId`) is already in the Entra app, go on at once. */
  readonly uploadConfirmed?: boolean;
  readonly reason?: string;
}

export interface RotationView extends Rotation {
  readonly certificate: CertificateMetadata;
}

/**
 * Staged rotation: new certificate pending → (Graph addKey, proof signed by the current key) →
 * verified by a real token request with the new key → activated, the old one retiring for the
 * overlap window. A failed verification rolls back: Graph removeKey if the key was added, the pending
 * certificate failed, the current one untouched and still active.
 */
export class Rotations {
  constructor(
    private readonly stores: VaultStores,
    private readonly certificates: Certificates,
    private readonly cipher: EnvelopeCipher,
    private readonly identity: IdentityPlatform,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly options: { defaultOverlapHours: number; graphUrl?: string },
  ) {}

  async start(connectionId: string, input: StartRotationInput, actor: string): Promise<RotationView> {
    const connection = await this.certificates.connection(connectionId);
    const uploadToEntra = input.uploadToEntra ?? connection.applicationObjectId !== undefined;
    if (uploadToEntra && connection.applicationObjectId === undefined) {
      throw new VaultError(
        VaultErrorCode.GraphNotConfigured,
        'set applicationObjectId on the tenant connection to add keys through Graph',
      );
    }
    if (!uploadToEntra && input.complete === true && input.uploadConfirmed !== true) {
      throw new VaultError(
        VaultErrorCode.UploadNotConfirmed,
        'a rotation without Graph waits for an administrator to upload the new certificate to the Entra app: start it with complete: false, then complete it with uploadConfirmed: true once the .cer is uploaded',
      );
    }
    const current = await this.stores.db.read((m) =>
      this.stores.certificates.findActive(m, connection.tenantId, connection.id),
    );
    if (uploadToEntra && !current) {
      throw new VaultError(
        VaultErrorCode.NoActiveCertificate,
        'Graph addKey needs the current certificate to prove possession: none is active',
      );
    }
    const open = await this.stores.db.read((m) =>
      this.stores.rotations.findUnfinished(m, connection.tenantId, connection.id),
    );
    if (open)
      throw new VaultError(
        VaultErrorCode.RotationInProgress,
        `rotation ${open.id} of this connection is still ${open.state}`,
      );

    const pending = input.certificateId
      ? await this.certificates.get(connection.id, input.certificateId)
      : await this.certificates.create(
          connection.id,
          {
            subject: input.create?.subject ?? current?.subject ?? `CN=easgate ${connection.appId}`,
            ...(input.create?.days !== undefined && { days: input.create.days }),
            ...(input.create?.keySize !== undefined && { keySize: input.create.keySize }),
          },
          actor,
        );
    if (pending.status !== 'pending') {
      throw new VaultError(
        VaultErrorCode.InvalidCertificateState,
        `certificate ${pending.id} is ${pending.status}: rotate to a pending one`,
      );
    }
    const now = this.clock.now();
    let rotation: Rotation = {
      id: randomUUID(),
      tenantId: connection.tenantId,
      connectionId: connection.id,
      ...(current && { fromCertificateId: current.id }),
      toCertificateId: pending.id,
      state: 'started',
      uploadToEntra,
      overlapHours: input.overlapHours ?? this.options.defaultOverlapHours,
      ...(input.reason !== undefined && { reason: input.reason }),
      startedAt: now.toISOString(),
    };
    await this.stores.db.transaction(async (tx) => {
      // Two rotations started at once: the connection row lock lets only one of them through.
      await this.stores.connections.findById(tx, connection.id, { lock: true });
      const racing = await this.stores.rotations.findUnfinished(tx, connection.tenantId, connection.id);
      if (racing) {
        throw new VaultError(
          VaultErrorCode.RotationInProgress,
          `rotation ${racing.id} of this connection is still ${racing.state}`,
        );
      }
      await this.stores.rotations.save(tx, rotation);
      await publishLifecycle(this.stores.outbox, tx, 'rotation-started', pending, now, {
        rotationId: rotation.id,
        ...(current && { previousCertificateId: current.id }),
      });
      await this.audit.record(
        tx,
        this.auditOf(rotation, pending, actor, 'rotation.start', 'success', input.reason),
      );
    });

    if (uploadToEntra && current) {
      try {
        const stored = await this.certificates.require(connection, pending.id);
        const { keyId } = await this.withGraph(connection, current, (graph) =>
          this.identity.addKey({
            ...graph,
            certificateDer: stored.chainDer[0],
            displayName: stored.subject,
          }),
        );
        rotation = applyRotationEvent(
          rotation,
          { type: 'key-added', graphKeyId: keyId },
          this.clock.now().toISOString(),
        );
        const withKey = rotation;
        await this.stores.db.transaction(async (tx) => {
          await this.stores.rotations.save(tx, withKey);
          await this.stores.certificates.save(tx, { ...stored, graphKeyId: keyId });
          await this.audit.record(tx, {
            ...this.auditOf(withKey, pending, actor, 'rotation.graph-add-key', 'success'),
            details: { graphKeyId: keyId },
          });
        });
      } catch (err) {
        return this.rollBack(connection, rotation, actor, `Graph addKey failed: ${failureReason(err)}`);
      }
    }
    if (input.complete === false || (awaitsUploadConfirmation(rotation) && input.uploadConfirmed !== true))
      return this.view(connection, rotation);
    return this.complete(connection.id, rotation.id, actor, {
      uploadConfirmed: input.uploadConfirmed === true,
    });
  }

  /**
   * Verifies the new key with a real token request, then activates it — or rolls back. A rotation
   * without Graph goes on only with the administrator's word that the new .cer is in the Entra app
   * (`uploadConfirmed`, audited as theirs): without it, nothing is tried and nothing changes.
   */
  async complete(
    connectionId: string,
    rotationId: string,
    actor: string,
    confirmation: { uploadConfirmed?: boolean } = {},
  ): Promise<RotationView> {
    const connection = await this.certificates.connection(connectionId);
    const rotation = await this.require(connection, rotationId);
    if (isFinished(rotation.state)) {
      throw new VaultError(
        VaultErrorCode.InvalidRotationState,
        `rotation ${rotation.id} is already ${rotation.state}`,
      );
    }
    const candidate = await this.certificates.require(connection, rotation.toCertificateId);
    if (awaitsUploadConfirmation(rotation)) {
      if (confirmation.uploadConfirmed !== true) {
        throw new VaultError(
          VaultErrorCode.UploadNotConfirmed,
          `rotation ${rotation.id} waits for the new certificate (SHA-1 ${candidate.thumbprintSha1}) in the Entra app: upload its .cer, then complete with uploadConfirmed: true`,
        );
      }
      await this.audit.recordAlone(
        this.auditOf(rotation, candidate, actor, 'rotation.upload-confirmed', 'success'),
      );
    }
    const check = await this.certificates.liveCheck(connection, candidate);
    if (!check.ok) {
      return this.rollBack(
        connection,
        rotation,
        actor,
        `verification token request failed: ${check.error ?? 'error'}${check.message ? ` (${check.message})` : ''}`,
        [{ code: check.error ?? 'LIVE_CHECK_FAILED', message: check.message ?? '' }],
      );
    }
    const now = this.clock.now();
    const completed = applyRotationEvent(rotation, { type: 'verified' }, now.toISOString());
    await this.stores.db.transaction(async (tx) => {
      const activated = await this.certificates.activateIn(
        tx,
        connection,
        candidate.id,
        actor,
        rotation.overlapHours,
        rotation.reason ?? 'rotation',
        rotation.id,
      );
      await this.stores.rotations.save(tx, completed);
      await publishLifecycle(this.stores.outbox, tx, 'rotated', activated, now, {
        rotationId: rotation.id,
        ...(rotation.fromCertificateId !== undefined && {
          previousCertificateId: rotation.fromCertificateId,
        }),
      });
      await this.audit.record(tx, this.auditOf(completed, activated, actor, 'rotation.complete', 'success'));
    });
    return this.view(connection, completed);
  }

  async get(connectionId: string, rotationId: string): Promise<RotationView> {
    const connection = await this.certificates.connection(connectionId);
    return this.view(connection, await this.require(connection, rotationId));
  }

  async list(connectionId: string): Promise<Rotation[]> {
    const connection = await this.certificates.connection(connectionId);
    return this.stores.db.read((m) =>
      this.stores.rotations.listByConnection(m, connection.tenantId, connection.id),
    );
  }

  /**
   * After the overlap window: removes a retired certificate's key from the Entra app (Graph removeKey,
   * proof signed by the active certificate). The key id is the one addKey returned, else found by thumbprint.
   */
  async removeRetiredKey(retired: StoredCertificate, actor: string): Promise<void> {
    const connection = await this.certificates.connection(retired.connectionId);
    if (connection.applicationObjectId === undefined) return;
    const active = await this.stores.db.read((m) =>
      this.stores.certificates.findActive(m, connection.tenantId, connection.id),
    );
    if (!active || active.id === retired.id) return;
    let outcome: 'success' | 'failure' = 'success';
    let reason: string | undefined;
    let keyId = retired.graphKeyId;
    try {
      await this.withGraph(connection, active, async (graph) => {
        keyId ??= (await this.identity.listKeys(graph)).find((k) =>
          sameThumbprint(k.customKeyIdentifier, retired.thumbprintSha1),
        )?.keyId;
        if (keyId === undefined) {
          reason = 'the key is not (or no longer) on the Entra application';
          return;
        }
        await this.identity.removeKey({ ...graph, keyId });
      });
    } catch (err) {
      outcome = 'failure';
      reason = failureReason(err);
    }
    await this.audit.recordAlone({
      actor,
      action: 'certificate.graph-remove-key',
      outcome,
      tenantId: retired.tenantId,
      connectionId: retired.connectionId,
      certificateId: retired.id,
      thumbprintSha1: retired.thumbprintSha1,
      ...(reason !== undefined && { reason }),
      details: { graphKeyId: keyId ?? null },
    });
  }

  private async rollBack(
    connection: TenantConnection,
    rotation: Rotation,
    actor: string,
    reason: string,
    errors: { code: string; message: string }[] = [{ code: 'ROTATION_FAILED', message: reason }],
  ): Promise<RotationView> {
    let removeFailure: string | undefined;
    if (compensationsFor(rotation).includes('remove-graph-key') && rotation.graphKeyId !== undefined) {
      const graphKeyId = rotation.graphKeyId;
      const current =
        rotation.fromCertificateId !== undefined
          ? await this.certificates.require(connection, rotation.fromCertificateId).catch(() => undefined)
          : undefined;
      try {
        if (!current) throw new Error('the current certificate is gone');
        await this.withGraph(connection, current, (graph) =>
          this.identity.removeKey({ ...graph, keyId: graphKeyId }),
        );
      } catch (err) {
        removeFailure = failureReason(err);
      }
    }
    const now = this.clock.now();
    const rolledBack = applyRotationEvent(
      rotation,
      { type: 'verification-failed', reason },
      now.toISOString(),
    );
    await this.stores.db.transaction(async (tx) => {
      const pending = await this.stores.certificates.findById(
        tx,
        rotation.tenantId,
        rotation.toCertificateId,
      );
      if (!pending) return;
      const failed: StoredCertificate = { ...pending, status: 'failed' };
      await this.stores.certificates.save(tx, failed);
      await this.stores.rotations.save(tx, rolledBack);
      await publishLifecycle(this.stores.outbox, tx, 'validation-failed', metadataOf(failed), now, {
        rotationId: rotation.id,
        errors,
        reason,
        ...(rotation.fromCertificateId !== undefined && {
          previousCertificateId: rotation.fromCertificateId,
        }),
      });
      await this.audit.record(tx, {
        ...this.auditOf(rolledBack, failed, actor, 'rotation.rollback', 'failure', reason),
        details: {
          graphKeyRemoved: rotation.graphKeyId !== undefined && removeFailure === undefined,
          ...(removeFailure !== undefined && { graphRemoveKeyFailure: removeFailure.slice(0, 500) }),
        },
      });
    });
    return this.view(connection, rolledBack);
  }

  /** A Graph token and a proof of possession, both signed by the current (registered) certificate. */
  private async withGraph<T>(
    connection: TenantConnection,
    current: StoredCertificate,
    call: (graph: {
      graphUrl: string;
      applicationObjectId: string;
      accessToken: string;
      proof: string;
    }) => Promise<T>,
  ): Promise<T> {
    const { privateKey, certificate } = unsealCertificate(this.cipher, current);
    const endpoint = tokenEndpointOf(connection);
    const now = this.clock.now();
    const { assertion } = buildClientAssertion({
      clientId: connection.appId,
      tokenEndpoint: endpoint,
      certificate,
      privateKey,
      now,
      algorithm: connection.signingAlgorithm,
    });
    const token = await this.identity.requestToken({
      tokenEndpoint: endpoint,
      clientId: connection.appId,
      clientAssertion: assertion,
      scope: graphScopeOf(connection, connection.graphUrl ?? this.options.graphUrl),
    });
    if (!token.ok) {
      throw new VaultError(
        VaultErrorCode.IdentityPlatformError,
        `Graph token request failed: ${token.error} ${token.description}`.trim(),
      );
    }
    const proof = buildGraphProofOfPossession({
      applicationObjectId: connection.applicationObjectId!,
      certificate,
      privateKey,
      now,
    });
    return call({
      graphUrl: cloudOf(connection, connection.graphUrl ?? this.options.graphUrl).graphUrl,
      applicationObjectId: connection.applicationObjectId!,
      accessToken: token.accessToken,
      proof,
    });
  }

  private async require(connection: TenantConnection, rotationId: string): Promise<Rotation> {
    const rotation = await this.stores.db.read((m) =>
      this.stores.rotations.findById(m, connection.tenantId, rotationId),
    );
    if (!rotation || rotation.connectionId !== connection.id) {
      throw new VaultError(
        VaultErrorCode.RotationNotFound,
        `no rotation ${rotationId} in tenant connection ${connection.id}`,
      );
    }
    return rotation;
  }

  private async view(connection: TenantConnection, rotation: Rotation): Promise<RotationView> {
    return { ...rotation, certificate: await this.certificates.get(connection.id, rotation.toCertificateId) };
  }

  private auditOf(
    rotation: Rotation,
    certificate: CertificateMetadata,
    actor: string,
    action: string,
    outcome: 'success' | 'failure',
    reason?: string,
  ) {
    return {
      actor,
      action,
      outcome,
      tenantId: rotation.tenantId,
      connectionId: rotation.connectionId,
      certificateId: certificate.id,
      thumbprintSha1: certificate.thumbprintSha1,
      ...(reason !== undefined && { reason }),
      details: {
        rotationId: rotation.id,
        fromCertificateId: rotation.fromCertificateId ?? null,
        state: rotation.state,
      },
    } as const;
  }
}

/** Graph's customKeyIdentifier: hex thumbprint, base64 of its bytes, or base64 of the hex text. */
function sameThumbprint(customKeyIdentifier: string | null, sha1Hex: string): boolean {
  if (!customKeyIdentifier) return false;
  if (customKeyIdentifier.toUpperCase() === sha1Hex) return true;
  const decoded = Buffer.from(customKeyIdentifier, 'base64');
  return (
    decoded.toString('hex').toUpperCase() === sha1Hex || decoded.toString('utf8').toUpperCase() === sha1Hex
  );
}
