import { randomBytes } from 'node:crypto';
import {
  CertificateCreationError,
  type CertificateValidationResult,
  assessCertificateInWorker,
  buildClientAssertion,
  createSelfSignedCertificate,
  usableSigningCertificate,
  validateCertificate,
  CertificateError,
  CertificateWarningCode,
} from '@easgate/auth';
import type { Tx } from '@easgate/persistence';
import { isUniqueViolation } from '@easgate/persistence';
import { type CertificateMetadata, type TenantConnection, canMove } from '../domain/certificate';
import type { Clock } from '../domain/clock';
import type { EnvelopeCipher } from '../domain/envelope-encryption';
import { VaultError, VaultErrorCode } from '../domain/vault-error';
import { type StoredCertificate, metadataOf } from '../infra/certificate.repository';
import type { IdentityPlatform } from '../infra/identity-platform.client';
import { type AuditTrail, failureReason } from './audit-trail';
import { sealCertificate, unsealCertificate } from './certificate-material';
import type { SigningKeyCache } from './signing-key-cache';
import { cloudOf, tokenEndpointOf } from './connection-endpoints';
import { publishLifecycle } from './lifecycle-events';
import { notFound } from './tenant-connections';
import type { VaultStores } from './vault-stores';

export interface CreateCertificateInput {
  readonly subject: string;
  readonly days?: number;
  readonly keySize?: number;
  readonly activate?: boolean;
}

export type CertificateFile = { pfxBase64: string; password: string } | { pem: string; password?: string };

export interface LiveCheck {
  readonly ok: boolean;
  readonly error?: string;
  readonly errorCodes?: number[];
  readonly message?: string;
}

export interface StoredValidation extends CertificateValidationResult {
  readonly live?: LiveCheck;
}

export class Certificates {
  constructor(
    private readonly stores: VaultStores,
    private readonly cipher: EnvelopeCipher,
    private readonly audit: AuditTrail,
    private readonly identity: IdentityPlatform,
    private readonly clock: Clock,
    private readonly defaultOverlapHours: number,
    /** Dropped for a connection whose active certificate changes. */
    private readonly keys?: SigningKeyCache,
  ) {}

  /** A self-signed certificate made in the vault: the private key never exists outside it. */
  async create(
    connectionId: string,
    input: CreateCertificateInput,
    actor: string,
  ): Promise<CertificateMetadata> {
    const connection = await this.connection(connectionId);
    const now = this.clock.now();
    let created;
    try {
      created = await createSelfSignedCertificate({
        subject: input.subject,
        password: randomBytes(24).toString('base64url'),
        ...(input.days !== undefined && { days: input.days }),
        ...(input.keySize !== undefined && { keySize: input.keySize }),
        now,
      });
    } catch (err) {
      if (err instanceof CertificateCreationError)
        throw new VaultError(VaultErrorCode.InvalidRequest, err.message);
      throw err;
    }
    const stored = sealCertificate(this.cipher, {
      tenantId: connection.tenantId,
      connectionId: connection.id,
      signing: { privateKey: created.privateKey, chain: [created.certificate] },
      facts: created.facts,
      source: 'created',
      status: 'pending',
      now,
    });
    return this.store(connection, stored, 'certificate.create', actor, input.activate ?? false);
  }

  /** A PFX (base64 + password) or PEM (certificate + key) made elsewhere, validated before it is kept. */
  async import(
    connectionId: string,
    file: CertificateFile,
    actor: string,
    activate = false,
  ): Promise<CertificateMetadata> {
    const connection = await this.connection(connectionId);
    const now = this.clock.now();
    const data = 'pfxBase64' in file ? Buffer.from(file.pfxBase64, 'base64') : Buffer.from(file.pem, 'utf8');
    const password = file.password ?? '';
    let signing;
    try {
      // On a worker thread: a PFX's key derivation must not stall the vault's other requests.
      signing = usableSigningCertificate(await assessCertificateInWorker({ data, password, now }));
    } catch (err) {
      const reason = failureReason(err);
      await this.audit.recordAlone({
        actor,
        action: 'certificate.import',
        outcome: 'failure',
        tenantId: connection.tenantId,
        connectionId: connection.id,
        reason,
      });
      if (err instanceof CertificateError) {
        throw new VaultError(VaultErrorCode.CertificateRejected, `${err.code}: ${err.message}`);
      }
      throw err;
    }
    const stored = sealCertificate(this.cipher, {
      tenantId: connection.tenantId,
      connectionId: connection.id,
      signing,
      facts: signing.facts,
      ...('pfxBase64' in file && { password }),
      source: 'imported',
      status: 'pending',
      now,
    });
    return this.store(connection, stored, 'certificate.import', actor, activate);
  }

  /** The auth library's verdict on a file, without keeping it (opened on a worker thread). */
  async validateFile(file: CertificateFile): Promise<CertificateValidationResult> {
    const data = 'pfxBase64' in file ? Buffer.from(file.pfxBase64, 'base64') : Buffer.from(file.pem, 'utf8');
    try {
      const { result } = await assessCertificateInWorker({
        data,
        password: file.password ?? '',
        now: this.clock.now(),
      });
      return result;
    } catch (err) {
      if (err instanceof CertificateError) {
        throw new VaultError(VaultErrorCode.CertificateRejected, `${err.code}: ${err.message}`);
      }
      throw err;
    }
  }

  /**
   * Re-validates a stored certificate (dates, key, algorithm) and, with `live`, asks the token
   * endpoint for an Exchange token with it. Publishes validated or validation-failed.
   */
  async validateStored(
    connectionId: string,
    certificateId: string,
    live: boolean,
    actor: string,
  ): Promise<StoredValidation> {
    const connection = await this.connection(connectionId);
    const stored = await this.require(connection, certificateId);
    const now = this.clock.now();
    const { privateKey, certificate } = unsealCertificate(this.cipher, stored);
    const pem = Buffer.from(
      [certificate.toString(), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()].join('\n'),
      'utf8',
    );
    let result: StoredValidation;
    try {
      const checked = validateCertificate({ data: pem, password: '', now });
      result = {
        ...checked,
        // The vault keeps the key sealed: the "unencrypted PEM" warning is about the in-memory copy.
        warnings: checked.warnings.filter((w) => w.code !== CertificateWarningCode.UnencryptedPrivateKey),
      };
    } finally {
      pem.fill(0);
    }
    if (result.valid && live) {
      const check = await this.liveCheck(connection, stored);
      result = { ...result, valid: check.ok, live: check };
    }
    const errors = [
      ...result.errors.map((e) => ({ code: e.code, message: e.message })),
      ...(result.live && !result.live.ok
        ? [{ code: result.live.error ?? 'LIVE_CHECK_FAILED', message: result.live.message ?? '' }]
        : []),
    ];
    await this.stores.db.transaction(async (tx) => {
      await publishLifecycle(
        this.stores.outbox,
        tx,
        result.valid ? 'validated' : 'validation-failed',
        metadataOf(stored),
        now,
        {
          ...(errors.length > 0 && { errors }),
        },
      );
      await this.audit.record(tx, {
        actor,
        action: live ? 'certificate.validate-live' : 'certificate.validate',
        outcome: result.valid ? 'success' : 'failure',
        tenantId: stored.tenantId,
        connectionId: stored.connectionId,
        certificateId: stored.id,
        thumbprintSha1: stored.thumbprintSha1,
        ...(errors.length > 0 && { reason: errors.map((e) => `${e.code}: ${e.message}`).join('; ') }),
      });
    });
    return result;
  }

  /** A real token request (Exchange scope) signed with the given certificate. */
  async liveCheck(connection: TenantConnection, stored: StoredCertificate): Promise<LiveCheck> {
    const { privateKey, certificate } = unsealCertificate(this.cipher, stored);
    const endpoint = tokenEndpointOf(connection);
    const { assertion } = buildClientAssertion({
      clientId: connection.appId,
      tokenEndpoint: endpoint,
      certificate,
      privateKey,
      now: this.clock.now(),
      algorithm: connection.signingAlgorithm,
    });
    try {
      const outcome = await this.identity.requestToken({
        tokenEndpoint: endpoint,
        clientId: connection.appId,
        clientAssertion: assertion,
        scope: cloudOf(connection).tokenScope,
      });
      return outcome.ok
        ? { ok: true }
        : { ok: false, error: outcome.error, errorCodes: outcome.errorCodes, message: outcome.description };
    } catch (err) {
      return { ok: false, error: 'UNREACHABLE', message: failureReason(err) };
    }
  }

  async activate(
    connectionId: string,
    certificateId: string,
    actor: string,
    overlapHours?: number,
    reason?: string,
  ): Promise<CertificateMetadata> {
    const connection = await this.connection(connectionId);
    try {
      return await this.stores.db.transaction((tx) =>
        this.activateIn(
          tx,
          connection,
          certificateId,
          actor,
          overlapHours ?? this.defaultOverlapHours,
          reason,
        ),
      );
    } catch (err) {
      await this.audit.recordAlone({
        actor,
        action: 'certificate.activate',
        outcome: 'failure',
        tenantId: connection.tenantId,
        connectionId: connection.id,
        certificateId,
        reason: failureReason(err),
      });
      throw err;
    }
  }

  /**
   * Makes a certificate the active one; the previous active one is retiring until the overlap window
   * ends (0 hours: retired at once).
   */
  async activateIn(
    tx: Tx,
    connection: TenantConnection,
    certificateId: string,
    actor: string,
    overlapHours: number,
    reason?: string,
    rotationId?: string,
  ): Promise<CertificateMetadata> {
    await this.stores.connections.findById(tx, connection.id, { lock: true });
    const target = await this.require(connection, certificateId, tx);
    if (!canMove(target.status, 'active')) {
      throw new VaultError(
        VaultErrorCode.InvalidCertificateState,
        `certificate ${target.id} is ${target.status}: it cannot become active`,
      );
    }
    const now = this.clock.now();
    if (new Date(target.notAfter) <= now) {
      throw new VaultError(
        VaultErrorCode.InvalidCertificateState,
        `certificate ${target.id} expired on ${target.notAfter}`,
      );
    }
    const previous = await this.stores.certificates.findActive(tx, connection.tenantId, connection.id);
    if (previous) {
      const retireAt = new Date(now.getTime() + overlapHours * 3_600_000).toISOString();
      const replaced: StoredCertificate =
        overlapHours > 0
          ? { ...previous, status: 'retiring', retireAt }
          : { ...previous, status: 'retired', retireAt, retiredAt: now.toISOString() };
      await this.stores.certificates.save(tx, replaced);
      if (replaced.status === 'retired')
        await publishLifecycle(this.stores.outbox, tx, 'retired', metadataOf(replaced), now);
    }
    const { retireAt: _r, retiredAt: _rd, ...rest } = target;
    const activated: StoredCertificate = { ...rest, status: 'active', activatedAt: now.toISOString() };
    await this.stores.certificates.save(tx, activated);
    this.keys?.evict(connection.id, tx);
    await publishLifecycle(this.stores.outbox, tx, 'activated', metadataOf(activated), now, {
      ...(previous && { previousCertificateId: previous.id }),
      ...(rotationId !== undefined && { rotationId }),
      ...(reason !== undefined && { reason }),
    });
    await this.audit.record(tx, {
      actor,
      action: 'certificate.activate',
      outcome: 'success',
      tenantId: activated.tenantId,
      connectionId: activated.connectionId,
      certificateId: activated.id,
      thumbprintSha1: activated.thumbprintSha1,
      ...(reason !== undefined && { reason }),
      details: { previousCertificateId: previous?.id ?? null, overlapHours, rotationId: rotationId ?? null },
    });
    return metadataOf(activated);
  }

  async retire(
    connectionId: string,
    certificateId: string,
    actor: string,
    reason?: string,
  ): Promise<CertificateMetadata> {
    const connection = await this.connection(connectionId);
    return this.stores.db.transaction(async (tx) => {
      const target = await this.require(connection, certificateId, tx);
      if (!canMove(target.status, 'retired')) {
        throw new VaultError(
          VaultErrorCode.InvalidCertificateState,
          `certificate ${target.id} is ${target.status}: it cannot be retired`,
        );
      }
      return this.retireIn(tx, target, actor, reason);
    });
  }

  async retireIn(
    tx: Tx,
    target: StoredCertificate,
    actor: string,
    reason?: string,
  ): Promise<CertificateMetadata> {
    const now = this.clock.now();
    const retired: StoredCertificate = { ...target, status: 'retired', retiredAt: now.toISOString() };
    await this.stores.certificates.save(tx, retired);
    this.keys?.evict(retired.connectionId, tx);
    await publishLifecycle(this.stores.outbox, tx, 'retired', metadataOf(retired), now, {
      ...(reason !== undefined && { reason }),
    });
    await this.audit.record(tx, {
      actor,
      action: 'certificate.retire',
      outcome: 'success',
      tenantId: retired.tenantId,
      connectionId: retired.connectionId,
      certificateId: retired.id,
      thumbprintSha1: retired.thumbprintSha1,
      ...(reason !== undefined && { reason }),
      details: { previousStatus: target.status },
    });
    return metadataOf(retired);
  }

  async list(connectionId: string): Promise<CertificateMetadata[]> {
    const connection = await this.connection(connectionId);
    return this.stores.db.read(async (m) =>
      (await this.stores.certificates.listByConnection(m, connection.tenantId, connection.id)).map(
        metadataOf,
      ),
    );
  }

  async get(connectionId: string, certificateId: string): Promise<CertificateMetadata> {
    const connection = await this.connection(connectionId);
    return metadataOf(await this.require(connection, certificateId));
  }

  /** The public certificate (leaf) as DER (.cer) or PEM. */
  async publicCertificate(
    connectionId: string,
    certificateId: string,
  ): Promise<{ der: Buffer; pem: string; thumbprintSha1: string }> {
    const connection = await this.connection(connectionId);
    const stored = await this.require(connection, certificateId);
    const der = stored.chainDer[0];
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
    return { der, pem, thumbprintSha1: stored.thumbprintSha1 };
  }

  async connection(connectionId: string, tx?: Tx): Promise<TenantConnection> {
    const connection = tx
      ? await this.stores.connections.findById(tx, connectionId)
      : await this.stores.db.read((m) => this.stores.connections.findById(m, connectionId));
    if (!connection) throw notFound(connectionId);
    return connection;
  }

  async require(connection: TenantConnection, certificateId: string, tx?: Tx): Promise<StoredCertificate> {
    const find = (m: Tx) => this.stores.certificates.findById(m, connection.tenantId, certificateId);
    const stored = tx ? await find(tx) : await this.stores.db.read(find);
    if (!stored || stored.connectionId !== connection.id) {
      throw new VaultError(
        VaultErrorCode.CertificateNotFound,
        `no certificate ${certificateId} in tenant connection ${connection.id}`,
      );
    }
    return stored;
  }

  private async store(
    connection: TenantConnection,
    stored: StoredCertificate,
    action: string,
    actor: string,
    activate: boolean,
  ): Promise<CertificateMetadata> {
    const now = this.clock.now();
    try {
      return await this.stores.db.transaction(async (tx) => {
        await this.stores.certificates.insert(tx, stored);
        await this.audit.record(tx, {
          actor,
          action,
          outcome: 'success',
          tenantId: stored.tenantId,
          connectionId: stored.connectionId,
          certificateId: stored.id,
          thumbprintSha1: stored.thumbprintSha1,
          details: { subject: stored.subject, notAfter: stored.notAfter, source: stored.source },
        });
        await publishLifecycle(this.stores.outbox, tx, 'created', metadataOf(stored), now);
        await publishLifecycle(this.stores.outbox, tx, 'validated', metadataOf(stored), now);
        if (activate) return this.activateIn(tx, connection, stored.id, actor, this.defaultOverlapHours);
        return metadataOf(stored);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const reason = `certificate ${stored.thumbprintSha1} is already in this tenant connection`;
        await this.audit.recordAlone({
          actor,
          action,
          outcome: 'failure',
          tenantId: stored.tenantId,
          connectionId: stored.connectionId,
          thumbprintSha1: stored.thumbprintSha1,
          reason: `${VaultErrorCode.CertificateExists}: ${reason}`,
        });
        throw new VaultError(VaultErrorCode.CertificateExists, reason);
      }
      throw err;
    }
  }
}
