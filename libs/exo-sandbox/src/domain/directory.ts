import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { SandboxError, SandboxErrorCode } from './sandbox-error';

/** Entra role template ids (they appear in the token's `wids`). Some ids are UNCONFIRMED, see the reference §3.7. */
export const DirectoryRoles = {
  'Exchange Administrator': '29232cdf-9323-42fd-ade2-1d097af3e4de',
  'Exchange Recipient Administrator': '31392ffb-586c-42d1-9346-e59415a2cc4e',
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Global Reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  'Helpdesk Administrator': '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'Security Reader': '5d6b6bb7-de71-4623-b4af-96380a352509',
  'Compliance Administrator': '17315797-102d-40b4-93e0-432062caca18',
} as const;
export type DirectoryRoleName = keyof typeof DirectoryRoles;

/** Accepts a role display name (any case) or a template id; returns the template id. */
export function resolveRoleTemplateId(nameOrId: string): string {
  const lower = nameOrId.trim().toLowerCase();
  for (const [name, id] of Object.entries(DirectoryRoles)) {
    if (name.toLowerCase() === lower || id === lower) return id;
  }
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(lower)) return lower;
  throw new SandboxError(SandboxErrorCode.InvalidRequest, `unknown directory role '${nameOrId}'`);
}

export interface Tenant {
  tenantId: string;
  /** The primary `<name>.onmicrosoft.com` domain. */
  organization: string;
  displayName: string;
}

export interface KeyCredential {
  keyId: string;
  displayName: string;
  certificate: X509Certificate;
  /** Upper-case hex SHA-1 of the DER (what Entra calls the thumbprint). */
  sha1Hex: string;
  sha256Hex: string;
  startDateTime: Date;
  endDateTime: Date;
}

export interface AppRegistration {
  appId: string;
  /** The application object id (what Graph addKey/removeKey address). */
  objectId: string;
  displayName: string;
  homeTenantId: string;
  keyCredentials: KeyCredential[];
}

export interface ServicePrincipal {
  objectId: string;
  appId: string;
  tenantId: string;
  /** Admin consent for Exchange.ManageAsApp. */
  consentGranted: boolean;
  roleTemplateIds: Set<string>;
  /** EXO RBAC role group membership (Option 2): extra cmdlets allowed regardless of directory roles. */
  roleGroupCmdlets: Set<string>;
}

export interface RegisterAppInput {
  appId?: string;
  displayName?: string;
  /** PEM or DER (base64 or binary) certificates to register as key credentials. */
  certificates?: (string | Buffer)[];
  /** false models a multi-tenant app registered elsewhere and never consented here (AADSTS7000229). */
  servicePrincipal?: boolean;
  consentGranted?: boolean;
  roles?: string[];
}

export function keyCredentialFromCertificate(input: string | Buffer, displayName?: string): KeyCredential {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(normaliseCertificateInput(input));
  } catch {
    throw new SandboxError(
      SandboxErrorCode.InvalidCertificate,
      'not an X.509 certificate (PEM or DER expected)',
    );
  }
  return {
    keyId: randomUUID(),
    displayName: displayName ?? certificate.subject.split('\n').join(', '),
    certificate,
    sha1Hex: createHash('sha1').update(certificate.raw).digest('hex').toUpperCase(),
    sha256Hex: createHash('sha256').update(certificate.raw).digest('hex').toUpperCase(),
    startDateTime: new Date(certificate.validFrom),
    endDateTime: new Date(certificate.validTo),
  };
}

function normaliseCertificateInput(input: string | Buffer): string | Buffer {
  if (Buffer.isBuffer(input)) {
    const text = input.toString('latin1');
    return text.includes('-----BEGIN CERTIFICATE-----') ? text : input;
  }
  if (input.includes('-----BEGIN CERTIFICATE-----')) return input;
  // A bare base64 DER (what Graph's keyCredential.key carries).
  return Buffer.from(input.replace(/\s+/g, ''), 'base64');
}

/** The simulated Entra directory: one sandbox tenant, app registrations and their service principals. */
export class Directory {
  private readonly appsById = new Map<string, AppRegistration>();
  private readonly appsByObjectId = new Map<string, AppRegistration>();
  private readonly servicePrincipals = new Map<string, ServicePrincipal>();

  constructor(readonly tenant: Tenant) {}

  /** Resolves the `{tenant}` URL segment (GUID or a verified domain, any case). */
  resolveTenant(segment: string): Tenant | undefined {
    const s = segment.toLowerCase();
    return s === this.tenant.tenantId || s === this.tenant.organization.toLowerCase()
      ? this.tenant
      : undefined;
  }

  registerApp(input: RegisterAppInput): AppRegistration {
    const appId = (input.appId ?? randomUUID()).toLowerCase();
    if (this.appsById.has(appId)) {
      throw new SandboxError(SandboxErrorCode.InvalidRequest, `app ${appId} is already registered`);
    }
    const app: AppRegistration = {
      appId,
      objectId: randomUUID(),
      displayName: input.displayName ?? `sandbox-app-${appId.slice(0, 8)}`,
      homeTenantId: input.servicePrincipal === false ? randomUUID() : this.tenant.tenantId,
      keyCredentials: (input.certificates ?? []).map((c) => keyCredentialFromCertificate(c)),
    };
    this.appsById.set(appId, app);
    this.appsByObjectId.set(app.objectId, app);
    if (input.servicePrincipal !== false) {
      this.servicePrincipals.set(appId, {
        objectId: randomUUID(),
        appId,
        tenantId: this.tenant.tenantId,
        consentGranted: input.consentGranted ?? false,
        roleTemplateIds: new Set((input.roles ?? []).map(resolveRoleTemplateId)),
        roleGroupCmdlets: new Set(),
      });
    }
    return app;
  }

  /**
   * Deletes the app's service principal (Entra: Enterprise applications → Delete), which revokes the
   * admin consent and the roles given to it; token requests then fail with AADSTS7000229.
   */
  removeServicePrincipal(appId: string): boolean {
    this.requireApp(appId);
    return this.servicePrincipals.delete(appId.toLowerCase());
  }

  /** Creates the service principal again, as admin consent does; an existing one is kept. */
  addServicePrincipal(
    appId: string,
    input: { consentGranted?: boolean; roles?: string[] },
  ): ServicePrincipal {
    const app = this.requireApp(appId);
    const existing = this.servicePrincipalOf(app.appId);
    if (existing) return existing;
    const sp: ServicePrincipal = {
      objectId: randomUUID(),
      appId: app.appId,
      tenantId: this.tenant.tenantId,
      consentGranted: input.consentGranted ?? true,
      roleTemplateIds: new Set((input.roles ?? []).map(resolveRoleTemplateId)),
      roleGroupCmdlets: new Set(),
    };
    this.servicePrincipals.set(app.appId, sp);
    return sp;
  }

  findApp(appId: string): AppRegistration | undefined {
    return this.appsById.get(appId.toLowerCase());
  }

  findAppByObjectId(objectId: string): AppRegistration | undefined {
    return this.appsByObjectId.get(objectId.toLowerCase());
  }

  requireApp(appId: string): AppRegistration {
    const app = this.findApp(appId);
    if (!app) throw new SandboxError(SandboxErrorCode.UnknownApp, `app ${appId} is not registered`);
    return app;
  }

  servicePrincipalOf(appId: string): ServicePrincipal | undefined {
    return this.servicePrincipals.get(appId.toLowerCase());
  }

  requireServicePrincipal(appId: string): ServicePrincipal {
    const sp = this.servicePrincipalOf(appId);
    if (!sp)
      throw new SandboxError(SandboxErrorCode.UnknownApp, `app ${appId} has no service principal here`);
    return sp;
  }

  listApps(): AppRegistration[] {
    return [...this.appsById.values()];
  }

  addCertificate(appId: string, certificate: string | Buffer, displayName?: string): KeyCredential {
    const key = keyCredentialFromCertificate(certificate, displayName);
    this.requireApp(appId).keyCredentials.push(key);
    return key;
  }

  removeKey(appId: string, keyId: string): boolean {
    const app = this.requireApp(appId);
    const before = app.keyCredentials.length;
    app.keyCredentials = app.keyCredentials.filter((k) => k.keyId !== keyId.toLowerCase());
    return app.keyCredentials.length !== before;
  }

  findKeyByThumbprint(
    app: AppRegistration,
    thumbprint: { sha1Hex?: string; sha256Hex?: string },
  ): KeyCredential | undefined {
    return app.keyCredentials.find(
      (k) =>
        (thumbprint.sha1Hex !== undefined && k.sha1Hex === thumbprint.sha1Hex) ||
        (thumbprint.sha256Hex !== undefined && k.sha256Hex === thumbprint.sha256Hex),
    );
  }
}
