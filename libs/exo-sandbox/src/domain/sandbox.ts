import { type KeyObject, randomUUID } from 'node:crypto';
import { type AccessLevel } from './access-state';
import { AuditLog } from './audit-log';
import { CmdletExecutor } from './cmdlet-executor';
import { type AppRegistration, Directory, type RegisterAppInput, resolveRoleTemplateId } from './directory';
import { ExchangeStore, type DeviceRecord, type MailboxRecord } from './exchange-store';
import { FaultInjector } from './faults';
import { GraphKeyService, toKeyCredentialResource } from './graph-keys';
import { SandboxError, SandboxErrorCode } from './sandbox-error';
import { SeededRandom, emptyCas, seedExchange } from './seed';
import { Throttle } from './throttle';
import { type IdentityPolicy, TokenService, defaultIdentityPolicy } from './token-service';
import { mobileDeviceStatisticsView, mobileDeviceView } from './views';

/** Realism knobs; all can be changed at run time through the sandbox admin API. */
export interface SandboxKnobs extends IdentityPolicy {
  /** Added before answering every token/admin/Graph request. */
  latencyMs: number;
  /** Cmdlet calls per second per app; 0 = unlimited. */
  throttlePerSecond: number;
  /** Concurrent admin API requests per tenant; 0 = unlimited. */
  tenantConcurrency: number;
  /** How long a newly connected device stays in DeviceDiscovery. */
  discoverySeconds: number;
  /** Token without Exchange.ManageAsApp: 403 with a NUL-byte body (one capture) or a JSON OData error. */
  missingRoleResponse: 'nul-body' | 'json';
  /** Refuse admin API calls without X-AnchorMailbox (the real requirement is UNCONFIRMED). */
  requireAnchorMailbox: boolean;
}

export const defaultKnobs: SandboxKnobs = {
  ...defaultIdentityPolicy,
  latencyMs: 0,
  throttlePerSecond: 0,
  tenantConcurrency: 0,
  discoverySeconds: 840,
  missingRoleResponse: 'nul-body',
  requireAnchorMailbox: false,
};

export interface SandboxConfig {
  tenantId: string;
  organization: string;
  displayName: string;
  seed: number;
  mailboxes: number;
  devices: number;
  knobs: SandboxKnobs;
  signingKey: KeyObject;
  defaultAccessLevel?: AccessLevel;
}

export interface ConnectDeviceInput {
  mailbox: string;
  deviceId: string;
  deviceType: string;
  deviceModel?: string;
  deviceOS?: string;
  userAgent?: string;
  clientType?: 'EAS' | 'Outlook';
  friendlyName?: string;
  provisionable?: boolean;
}

export interface SandboxCounters {
  tokenRequests: number;
  tokensIssued: number;
  tokenFailures: Record<string, number>;
  cmdletCalls: Record<string, number>;
  cmdletFailures: number;
  pages: number;
  throttled: number;
  faultsInjected: number;
  graphCalls: number;
}

/** The whole simulated tenant: directory, Exchange organization and the realism machinery. */
export class Sandbox {
  readonly directory: Directory;
  readonly store: ExchangeStore;
  readonly tokens: TokenService;
  readonly graphKeys: GraphKeyService;
  readonly executor: CmdletExecutor;
  readonly throttle: Throttle;
  readonly faults = new FaultInjector();
  readonly audit = new AuditLog();
  readonly counters: SandboxCounters = {
    tokenRequests: 0,
    tokensIssued: 0,
    tokenFailures: {},
    cmdletCalls: {},
    cmdletFailures: 0,
    pages: 0,
    throttled: 0,
    faultsInjected: 0,
    graphCalls: 0,
  };
  knobs: SandboxKnobs;
  private clockOffsetMs = 0;
  readonly seedDurationMs: number;

  constructor(readonly config: SandboxConfig) {
    this.knobs = { ...config.knobs };
    const now = () => this.now();
    this.directory = new Directory({
      tenantId: config.tenantId.toLowerCase(),
      organization: config.organization.toLowerCase(),
      displayName: config.displayName,
    });
    const settingsGuid = new SeededRandom(config.seed ^ 0x5eed).guid();
    this.store = new ExchangeStore(config.organization.toLowerCase(), config.tenantId.toLowerCase(), {
      guid: settingsGuid,
      defaultAccessLevel: config.defaultAccessLevel ?? 'Allow',
      adminMailRecipients: [],
      userMailInsert: '',
      otaNotificationMailInsert: '',
      allowAccessForUnSupportedPlatform: true,
      enableMobileMailboxPolicyWhenCAInplace: false,
      tenantAdminPreference: 'None',
      whenChanged: new Date(Date.UTC(2026, 0, 1)),
    });
    const started = performance.now();
    seedExchange(this.store, {
      seed: config.seed,
      mailboxes: config.mailboxes,
      devices: config.devices,
      nowMs: now(),
      discoveryMs: this.knobs.discoverySeconds * 1000,
    });
    this.seedDurationMs = performance.now() - started;
    this.tokens = new TokenService(this.directory, config.signingKey, () => this.knobs, now);
    this.graphKeys = new GraphKeyService(this.directory, now);
    this.executor = new CmdletExecutor(this.store);
    this.throttle = new Throttle(
      () => ({
        perAppPerSecond: this.knobs.throttlePerSecond,
        tenantConcurrency: this.knobs.tenantConcurrency,
      }),
      now,
    );
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the sandbox clock (tokens, assertions, discovery) forward without waiting. */
  advanceClock(seconds: number): number {
    this.clockOffsetMs += seconds * 1000;
    return this.clockOffsetMs;
  }

  setKnobs(patch: Partial<SandboxKnobs>): SandboxKnobs {
    const unknown = Object.keys(patch).filter((k) => !(k in defaultKnobs));
    if (unknown.length > 0)
      throw new SandboxError(SandboxErrorCode.InvalidRequest, `unknown knobs: ${unknown.join(', ')}`);
    this.knobs = { ...this.knobs, ...patch };
    return this.knobs;
  }

  // ---- apps -------------------------------------------------------------------------------------

  registerApp(input: RegisterAppInput): AppSummary {
    return this.appSummary(this.directory.registerApp(input));
  }

  appSummary(app: AppRegistration): AppSummary {
    const sp = this.directory.servicePrincipalOf(app.appId);
    return {
      appId: app.appId,
      objectId: app.objectId,
      displayName: app.displayName,
      servicePrincipalObjectId: sp?.objectId ?? null,
      consentGranted: sp?.consentGranted ?? false,
      roles: sp ? [...sp.roleTemplateIds] : [],
      roleGroupCmdlets: sp ? [...sp.roleGroupCmdlets] : [],
      keyCredentials: app.keyCredentials.map((k) => ({
        ...toKeyCredentialResource(k),
        thumbprint: k.sha1Hex,
        thumbprintSha256: k.sha256Hex,
      })),
    };
  }

  setConsent(appId: string, granted: boolean): AppSummary {
    this.directory.requireServicePrincipal(appId).consentGranted = granted;
    return this.appSummary(this.directory.requireApp(appId));
  }

  /** Revokes consent by deleting the service principal: the token endpoint answers AADSTS7000229. */
  removeServicePrincipal(appId: string): AppSummary {
    this.directory.removeServicePrincipal(appId);
    return this.appSummary(this.directory.requireApp(appId));
  }

  /** Admin consent again: the service principal is back (consent granted, the roles given). */
  addServicePrincipal(appId: string, input: { consentGranted?: boolean; roles?: string[] }): AppSummary {
    this.directory.addServicePrincipal(appId, input);
    return this.appSummary(this.directory.requireApp(appId));
  }

  setRoles(appId: string, roles: string[]): AppSummary {
    this.directory.requireServicePrincipal(appId).roleTemplateIds = new Set(roles.map(resolveRoleTemplateId));
    return this.appSummary(this.directory.requireApp(appId));
  }

  setRoleGroupCmdlets(appId: string, cmdlets: string[]): AppSummary {
    this.directory.requireServicePrincipal(appId).roleGroupCmdlets = new Set(
      cmdlets.map((c) => c.toLowerCase()),
    );
    return this.appSummary(this.directory.requireApp(appId));
  }

  addCertificate(appId: string, certificate: string | Buffer): AppSummary {
    this.directory.addCertificate(appId, certificate);
    return this.appSummary(this.directory.requireApp(appId));
  }

  // ---- mailboxes and devices --------------------------------------------------------------------

  addMailbox(input: { alias: string; displayName?: string }): MailboxRecord {
    if (this.store.findMailbox(input.alias)) {
      throw new SandboxError(SandboxErrorCode.InvalidRequest, `mailbox ${input.alias} exists`);
    }
    const upn = `${input.alias}@${this.store.organization}`;
    const at = new Date(this.now());
    return this.store.addMailbox({
      guid: randomUUID(),
      exchangeGuid: randomUUID(),
      externalDirectoryObjectId: randomUUID(),
      name: input.alias,
      alias: input.alias,
      displayName: input.displayName ?? input.alias,
      userPrincipalName: upn,
      primarySmtpAddress: upn,
      recipientTypeDetails: 'UserMailbox',
      whenCreated: at,
      whenChanged: at,
      cas: emptyCas(),
    });
  }

  /**
   * A device contacts Exchange ActiveSync. A new partnership enters DeviceDiscovery; a known one
   * records a sync attempt (and, if a wipe is pending, the wipe is sent to it).
   */
  connectDevice(input: ConnectDeviceInput): Record<string, unknown> {
    const mailbox = this.store.findMailbox(input.mailbox);
    if (!mailbox) throw new SandboxError(SandboxErrorCode.UnknownMailbox, `no mailbox ${input.mailbox}`);
    const now = this.now();
    const clientType = input.clientType ?? (input.deviceType.toLowerCase() === 'outlook' ? 'Outlook' : 'EAS');
    const prefix = this.store.namePrefix({ clientType, deviceType: input.deviceType });
    let device = this.store.findDeviceInMailbox(mailbox, prefix, input.deviceId);
    if (device) {
      this.touch(device, now);
    } else {
      const at = new Date(now);
      device = this.store.addDevice({
        guid: randomUUID(),
        mailboxSeq: mailbox.seq,
        deviceId: input.deviceId,
        deviceType: input.deviceType,
        deviceModel: input.deviceModel ?? input.deviceType,
        deviceOS: input.deviceOS ?? '',
        deviceOSLanguage: 'en-US',
        deviceUserAgent: input.userAgent ?? '',
        friendlyName: input.friendlyName ?? '',
        deviceImei: '',
        deviceMobileOperator: '',
        deviceTelephoneNumber: '',
        deviceActiveSyncVersion: clientType === 'EAS' ? '16.1' : '',
        clientType,
        clientVersion: clientType === 'EAS' ? '16.1' : '4.2421.0',
        provisionable: input.provisionable ?? true,
        firstSyncTime: at,
        lastSuccessSync: undefined,
        lastSyncAttemptTime: at,
        discoveryUntil: now + this.knobs.discoverySeconds * 1000,
        wipe: undefined,
        whenCreated: at,
        whenChanged: at,
      });
    }
    return mobileDeviceView(this.store, device, now);
  }

  requireDevice(identity: string): DeviceRecord {
    const device = this.store.findDevice(identity);
    if (!device) throw new SandboxError(SandboxErrorCode.UnknownDevice, `no device ${identity}`);
    return device;
  }

  completeDiscovery(identity: string): Record<string, unknown> {
    const device = this.requireDevice(identity);
    device.discoveryUntil = 0;
    return mobileDeviceView(this.store, device, this.now());
  }

  /** The device syncs again; with `ackWipe` it acknowledges a wipe it was sent. */
  syncDevice(identity: string, options: { ackWipe?: boolean } = {}): Record<string, unknown> {
    const device = this.requireDevice(identity);
    const now = this.now();
    this.touch(device, now);
    if (options.ackWipe && device.wipe?.sentTime) device.wipe.ackTime = new Date(now);
    return mobileDeviceView(this.store, device, now);
  }

  private touch(device: DeviceRecord, now: number): void {
    device.lastSyncAttemptTime = new Date(now);
    const decision = this.store.decide(device, now);
    if (decision.state === 'Allowed') device.lastSuccessSync = new Date(now);
    if (device.wipe && !device.wipe.sentTime) device.wipe.sentTime = new Date(now);
  }

  /**
   * Every device (or one mailbox's) as Get-MobileDeviceStatistics shows it, plus its mailbox's UPN:
   * what an end-to-end test reads back as the ground truth, without a token.
   */
  listDevices(mailboxIdentity?: string): Record<string, unknown>[] {
    const now = this.now();
    const mailboxes: MailboxRecord[] = [];
    if (mailboxIdentity !== undefined) {
      const mailbox = this.store.findMailbox(mailboxIdentity);
      if (!mailbox) throw new SandboxError(SandboxErrorCode.UnknownMailbox, `no mailbox ${mailboxIdentity}`);
      mailboxes.push(mailbox);
    } else {
      for (let seq = 1; seq < this.store.mailboxSeqLimit; seq++) {
        const mailbox = this.store.mailboxBySeq(seq);
        if (mailbox) mailboxes.push(mailbox);
      }
    }
    return mailboxes.flatMap((mailbox) =>
      mailbox.devices.map((seq) => ({
        ...mobileDeviceStatisticsView(this.store, this.store.deviceBySeq(seq)!, now),
        Mailbox: mailbox.userPrincipalName,
      })),
    );
  }

  info(): Record<string, unknown> {
    return {
      tenantId: this.directory.tenant.tenantId,
      organization: this.directory.tenant.organization,
      displayName: this.directory.tenant.displayName,
      mailboxes: this.store.mailboxTotal,
      devices: this.store.deviceTotal,
      seed: this.config.seed,
      seedDurationMs: Math.round(this.seedDurationMs),
      clockOffsetSeconds: this.clockOffsetMs / 1000,
    };
  }
}

export interface AppSummary {
  appId: string;
  objectId: string;
  displayName: string;
  servicePrincipalObjectId: string | null;
  consentGranted: boolean;
  roles: string[];
  roleGroupCmdlets: string[];
  keyCredentials: Record<string, unknown>[];
}
