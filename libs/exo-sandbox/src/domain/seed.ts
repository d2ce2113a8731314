import { accessRuleName } from './access-state';
import {
  type CasSettings,
  DefaultPolicyName,
  type ExchangeStore,
  type MailboxPolicyRecord,
} from './exchange-store';

/** mulberry32: tiny, fast and deterministic for a given seed. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  private word(): string {
    return ((this.next() * 0x100000000) >>> 0).toString(16).padStart(8, '0');
  }

  private hex32(): string {
    return [this.word(), this.word(), this.word(), this.word()].join('');
  }

  // Strings are assembled with join() so they are flat: concatenation would keep rope (cons/sliced)
  // strings alive, which costs several times the memory at 200k devices.
  hex(chars: number): string {
    const words: string[] = [];
    for (let n = 0; n < chars; n += 8) words.push(this.word());
    return words.join('').substring(0, chars);
  }

  guid(): string {
    const h = this.hex32();
    const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    return [
      h.slice(0, 8),
      h.slice(8, 12),
      '4' + h.slice(13, 16),
      variant + h.slice(17, 20),
      h.slice(20, 32),
    ].join('-');
  }
}

const FirstNames = [
  'adele',
  'alex',
  'ben',
  'carlos',
  'diego',
  'emma',
  'grace',
  'henrietta',
  'isaiah',
  'johanna',
  'lee',
  'lidia',
  'lynne',
  'megan',
  'miriam',
  'nestor',
  'patti',
  'pradeep',
  'raul',
  'sofia',
] as const;
const LastNames = [
  'vance',
  'wilber',
  'walker',
  'mendoza',
  'garcia',
  'smith',
  'taylor',
  'mueller',
  'patel',
  'lambert',
  'johnson',
  'holt',
  'robinson',
  'bowen',
  'gonzalez',
  'wilson',
  'fernandez',
  'gupta',
  'rossi',
  'kowalski',
] as const;

interface DeviceTemplate {
  deviceType: string;
  deviceModel: string;
  deviceOS: string;
  userAgent: string;
  clientType: 'EAS' | 'Outlook';
  idPrefix: string;
}

/** Device catalog; models/OS strings are the query strings the seeded rules use. */
export const SeedDeviceCatalog: readonly DeviceTemplate[] = [
  {
    deviceType: 'iPhone',
    deviceModel: 'iPhone15C2',
    deviceOS: 'iOS 17.5.1 21F90',
    userAgent: 'Apple-iPhone15C2/2105.90',
    clientType: 'EAS',
    idPrefix: 'Appl',
  },
  {
    deviceType: 'iPhone',
    deviceModel: 'iPhone14C7',
    deviceOS: 'iOS 16.7.8 20H343',
    userAgent: 'Apple-iPhone14C7/2008.343',
    clientType: 'EAS',
    idPrefix: 'Appl',
  },
  {
    deviceType: 'iPad',
    deviceModel: 'iPad13C16',
    deviceOS: 'iOS 17.4 21E219',
    userAgent: 'Apple-iPad13C16/2104.219',
    clientType: 'EAS',
    idPrefix: 'Appl',
  },
  {
    deviceType: 'Android',
    deviceModel: 'SM-S918B',
    deviceOS: 'Android 14',
    userAgent: 'Android-SAMSUNG-SM-S918B/101.14',
    clientType: 'EAS',
    idPrefix: 'SEC',
  },
  {
    deviceType: 'Android',
    deviceModel: 'Pixel 8',
    deviceOS: 'Android 14',
    userAgent: 'Android/14-EAS-2.0',
    clientType: 'EAS',
    idPrefix: 'andc',
  },
  {
    deviceType: 'Android',
    deviceModel: 'SM-A105F',
    deviceOS: 'Android 9',
    userAgent: 'Android-SAMSUNG-SM-A105F/101.9',
    clientType: 'EAS',
    idPrefix: 'SEC',
  },
  {
    deviceType: 'Outlook',
    deviceModel: 'Outlook for iOS and Android',
    deviceOS: 'iOS 17.5',
    userAgent: 'Outlook-iOS/2.0',
    clientType: 'Outlook',
    idPrefix: '',
  },
  {
    deviceType: 'WindowsMail',
    deviceModel: 'WindowsMail',
    deviceOS: 'Windows 10.0.19045',
    userAgent: 'MSFT-WIN-3/10.0.19045',
    clientType: 'EAS',
    idPrefix: 'WIN',
  },
];

/** The rules seeded with every tenant so that every access state and reason is present. */
export const SeedRules = [
  { queryString: 'SM-A105F', characteristic: 'DeviceModel', accessLevel: 'Block' },
  { queryString: 'WindowsMail', characteristic: 'DeviceType', accessLevel: 'Quarantine' },
  { queryString: 'iPad13C16', characteristic: 'DeviceModel', accessLevel: 'Allow' },
] as const;

export const StrictPolicyName = 'Strict (no non-provisionable devices)';
const SeedEpoch = Date.UTC(2026, 0, 1);
const DayMs = 86_400_000;

export interface SeedOptions {
  seed: number;
  mailboxes: number;
  devices: number;
  /** Epoch ms "now": devices seeded in discovery stay there until now + discoveryMs. */
  nowMs: number;
  discoveryMs: number;
}

/** Shared by every mailbox with an empty personal list; lists are replaced, never mutated. */
const NoDeviceIds: Set<string> = new Set();

export function emptyCas(): CasSettings {
  return {
    activeSyncEnabled: true,
    allowedDeviceIds: [],
    blockedDeviceIds: [],
    allowedLower: NoDeviceIds,
    blockedLower: NoDeviceIds,
    policyGuid: undefined,
    policyIsDefaulted: true,
    activeSyncDebugLogging: false,
    activeSyncSuppressReadReceipt: false,
    owaEnabled: true,
    popEnabled: true,
    imapEnabled: true,
    mapiEnabled: true,
    ewsEnabled: true,
  };
}

export function newPolicy(guid: string, name: string, isDefault: boolean, at: Date): MailboxPolicyRecord {
  return {
    guid,
    name,
    isDefault,
    settings: {
      PasswordEnabled: false,
      AlphanumericPasswordRequired: false,
      AllowSimplePassword: true,
      MinPasswordLength: null,
      MinPasswordComplexCharacters: 1,
      MaxPasswordFailedAttempts: 'Unlimited',
      MaxInactivityTimeLock: 'Unlimited',
      PasswordExpiration: 'Unlimited',
      PasswordHistory: 0,
      PasswordRecoveryEnabled: false,
      DeviceEncryptionEnabled: false,
      RequireDeviceEncryption: false,
      RequireStorageCardEncryption: false,
      AllowNonProvisionableDevices: true,
      DevicePolicyRefreshInterval: 'Unlimited',
      MaxAttachmentSize: 'Unlimited',
      AttachmentsEnabled: true,
      AllowCamera: true,
      AllowBluetooth: 'Allow',
      AllowBrowser: true,
      AllowWiFi: true,
      AllowStorageCard: true,
      AllowHTMLEmail: true,
      AllowTextMessaging: true,
      AllowApplePushNotifications: true,
      MaxCalendarAgeFilter: 'All',
      MaxEmailAgeFilter: 'All',
      RequireManualSyncWhenRoaming: false,
      IrmEnabled: true,
    },
    whenCreated: at,
    whenChanged: at,
  };
}

/**
 * Fills the store deterministically for `seed`: mailboxes with UPNs and CAS settings, and devices in
 * every access state (Allowed/Blocked/Quarantined/DeviceDiscovery with reasons Global, DeviceRule,
 * Individual and Policy).
 */
export function seedExchange(store: ExchangeStore, options: SeedOptions): void {
  const rng = new SeededRandom(options.seed);
  const epoch = new Date(SeedEpoch);
  // Dates are replaced, never mutated, so seeded records can share instances (memory at 200k devices).
  const days = new Map<number, Date>();
  const daysBeforeEpoch = (n: number): Date => {
    let d = days.get(n);
    if (!d) days.set(n, (d = new Date(SeedEpoch - n * DayMs)));
    return d;
  };
  store.addPolicy(newPolicy(rng.guid(), DefaultPolicyName, true, epoch));
  const strict = newPolicy(rng.guid(), StrictPolicyName, false, epoch);
  strict.settings.AllowNonProvisionableDevices = false;
  strict.settings.PasswordEnabled = true;
  store.addPolicy(strict);
  for (const r of SeedRules) {
    store.addRule({
      ...r,
      name: accessRuleName(r.queryString, r.characteristic),
      guid: rng.guid(),
      whenCreated: epoch,
      whenChanged: epoch,
    });
  }
  const domain = store.organization;
  for (let i = 0; i < options.mailboxes; i++) {
    const first = rng.pick(FirstNames);
    const last = rng.pick(LastNames);
    const alias = `${first}.${last}${i}`;
    const upn = `${alias}@${domain}`;
    const created = daysBeforeEpoch(rng.int(900));
    const cas = emptyCas();
    const mailbox = store.addMailbox({
      guid: rng.guid(),
      exchangeGuid: rng.guid(),
      externalDirectoryObjectId: rng.guid(),
      name: alias,
      alias,
      displayName: `${cap(first)} ${cap(last)} ${i}`,
      userPrincipalName: upn,
      primarySmtpAddress: upn,
      recipientTypeDetails: i % 50 === 49 ? 'SharedMailbox' : 'UserMailbox',
      whenCreated: created,
      whenChanged: created,
      cas,
    });
    if (i % 40 === 7) cas.activeSyncEnabled = false;
    if (i % 10 === 3) store.assignPolicy(mailbox, strict.guid, false);
  }
  if (options.mailboxes === 0) return;
  for (let j = 0; j < options.devices; j++) {
    // Every mailbox gets devices round-robin first, then the rest at random.
    const mailboxSeq = j < options.mailboxes ? j + 1 : 1 + rng.int(options.mailboxes);
    const t = rng.pick(SeedDeviceCatalog);
    const deviceId =
      t.clientType === 'Outlook'
        ? rng.hex(32)
        : `${t.idPrefix}${rng.hex(28 - t.idPrefix.length).toUpperCase()}`;
    const firstSync = new Date(SeedEpoch - rng.int(400) * DayMs - rng.int(DayMs));
    const mailbox = store.mailboxBySeq(mailboxSeq)!;
    const roll = rng.int(100);
    const device = store.addDevice({
      guid: rng.guid(),
      mailboxSeq,
      deviceId,
      deviceType: t.deviceType,
      deviceModel: t.deviceModel,
      deviceOS: t.deviceOS,
      deviceOSLanguage: 'en-US',
      deviceUserAgent: t.userAgent,
      friendlyName: `${cap(mailbox.alias.split('.')[0])}'s ${t.deviceModel}`,
      deviceImei: t.clientType === 'Outlook' ? '' : `35${rng.hex(13).replace(/[a-f]/g, '7')}`,
      deviceMobileOperator: rng.pick(['Vodafone', 'T-Mobile', 'Orange', '']),
      deviceTelephoneNumber: '',
      deviceActiveSyncVersion: t.clientType === 'Outlook' ? '' : '16.1',
      clientType: t.clientType,
      clientVersion: t.clientType === 'Outlook' ? '4.2421.0' : '16.1',
      provisionable: roll % 17 !== 0,
      firstSyncTime: firstSync,
      lastSuccessSync: daysBeforeEpoch(rng.int(30)),
      lastSyncAttemptTime: daysBeforeEpoch(rng.int(30)),
      discoveryUntil: roll < 2 ? options.nowMs + options.discoveryMs : 0,
      wipe: undefined,
      whenCreated: firstSync,
      whenChanged: firstSync,
    });
    // Personal exemptions: ~4 % blocked, ~8 % allowed.
    if (roll >= 2 && roll < 6)
      store.setPersonalList(mailbox, 'blocked', [...mailbox.cas.blockedDeviceIds, device.deviceId]);
    else if (roll >= 6 && roll < 14)
      store.setPersonalList(mailbox, 'allowed', [...mailbox.cas.allowedDeviceIds, device.deviceId]);
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
