/** U+00A7, between a device's type and its id in the object name. Sent as UTF-8 (C2 A7). */
export const DEVICE_NAME_SEPARATOR = '\u00a7';
export const EAS_DEVICES_CONTAINER = 'ExchangeActiveSyncDevices';

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

export function isGuid(text: string): boolean {
  return GUID.test(text.trim());
}

/** Lower-case GUID without braces, or undefined. */
export function normalizeGuid(text: string): string | undefined {
  const match = GUID.exec(text.trim());
  return match ? match[1].toLowerCase() : undefined;
}

export interface MobileDeviceName {
  /** e.g. `iPhone`, or `REST§Outlook` for Outlook REST devices (everything before the last `§`). */
  readonly deviceType: string;
  readonly deviceId: string;
}

/** `<DeviceType>§<DeviceId>` (the classic EAS form is UNCONFIRMED; only `REST§Outlook§<id>` is documented). */
export function formatMobileDeviceName(name: MobileDeviceName): string {
  return `${name.deviceType}${DEVICE_NAME_SEPARATOR}${name.deviceId}`;
}

/** Splits an object name at its last `§`. */
export function parseMobileDeviceName(objectName: string): MobileDeviceName | undefined {
  const at = objectName.lastIndexOf(DEVICE_NAME_SEPARATOR);
  if (at <= 0 || at === objectName.length - 1) return undefined;
  return { deviceType: objectName.slice(0, at), deviceId: objectName.slice(at + 1) };
}

export interface MobileDevicePath extends MobileDeviceName {
  /** The mailbox part as written (name, alias, UPN, …). */
  readonly mailbox: string;
}

/** `<mailbox>\ExchangeActiveSyncDevices\<DeviceType>§<DeviceId>` */
export function formatMobileDeviceIdentity(path: MobileDevicePath): string {
  return `${path.mailbox}\\${EAS_DEVICES_CONTAINER}\\${formatMobileDeviceName(path)}`;
}

export type ParsedMobileDeviceIdentity =
  | ({ readonly kind: 'path' } & MobileDevicePath)
  | { readonly kind: 'guid'; readonly guid: string }
  | ({
      readonly kind: 'dn';
      readonly dn: string;
      /** The CN of the mailbox object above the ExchangeActiveSyncDevices container. */
      readonly mailboxCn: string;
    } & MobileDeviceName);

/**
 * Reads the three identity forms Get-MobileDevice accepts (reference §4.1): the path form, a GUID
 * (= ExchangeObjectId), or a distinguished name `CN=<Type>§<Id>,CN=ExchangeActiveSyncDevices,CN=<mailbox>,…`.
 * The container name is matched case-insensitively. Undefined when the text is none of these.
 */
export function parseMobileDeviceIdentity(identity: string): ParsedMobileDeviceIdentity | undefined {
  const text = identity.trim();
  const guid = normalizeGuid(text);
  if (guid !== undefined) return { kind: 'guid', guid };
  if (/^CN=/i.test(text)) {
    const rdns = splitDn(text);
    if (rdns.length < 3 || rdns[1].toLowerCase() !== `cn=${EAS_DEVICES_CONTAINER.toLowerCase()}`)
      return undefined;
    const device = /^CN=(.*)$/i.exec(rdns[0]);
    const mailbox = /^CN=(.*)$/i.exec(rdns[2]);
    const name = device ? parseMobileDeviceName(unescapeDnValue(device[1])) : undefined;
    if (!name || !mailbox) return undefined;
    return { kind: 'dn', dn: text, mailboxCn: unescapeDnValue(mailbox[1]), ...name };
  }
  const marker = `\\${EAS_DEVICES_CONTAINER}\\`.toLowerCase();
  const at = text.toLowerCase().lastIndexOf(marker);
  if (at <= 0) return undefined;
  const name = parseMobileDeviceName(text.slice(at + marker.length));
  if (!name) return undefined;
  return { kind: 'path', mailbox: text.slice(0, at), ...name };
}

/** Splits a DN into RDNs, honouring `\,` escapes. */
export function splitDn(dn: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const char = dn[i];
    if (char === '\\' && i + 1 < dn.length) {
      current += char + dn[i + 1];
      i++;
    } else if (char === ',') {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts;
}

export function escapeDnValue(value: string): string {
  return value.replace(/[,\\#+<>;"=]/g, (c) => `\\${c}`).replace(/^ | $/g, (c) => `\\${c}`);
}

export function unescapeDnValue(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

export interface MobileDeviceDnParts extends MobileDeviceName {
  readonly mailboxCn: string;
  /** e.g. `OU=contoso.onmicrosoft.com,OU=Microsoft Exchange Hosted Organizations,DC=…` (sandbox-chosen). */
  readonly parentDn: string;
}

/** `CN=<Type>§<Id>,CN=ExchangeActiveSyncDevices,CN=<mailbox>,<parentDn>`. The EXO DN layout is UNCONFIRMED. */
export function formatMobileDeviceDn(parts: MobileDeviceDnParts): string {
  return `CN=${escapeDnValue(formatMobileDeviceName(parts))},CN=${EAS_DEVICES_CONTAINER},CN=${escapeDnValue(parts.mailboxCn)},${parts.parentDn}`;
}

export type RecipientIdentityKind = 'guid' | 'dn' | 'smtp' | 'name';

/**
 * How a mailbox identity is written: GUID (Guid, ExchangeGuid or ExternalDirectoryObjectId), DN,
 * an address (UPN or SMTP), or a name/alias. The sandbox resolves each form against its own fields.
 */
export function classifyRecipientIdentity(identity: string): RecipientIdentityKind {
  const text = identity.trim();
  if (isGuid(text)) return 'guid';
  if (/^CN=.+,/i.test(text)) return 'dn';
  if (/^[^@\s]+@[^@\s]+$/.test(text)) return 'smtp';
  return 'name';
}

export const DEVICE_ID_MAX_RECOMMENDED = 32;
export const DEVICE_ID_MAX_ACCEPTED = 255;

/**
 * EAS DeviceId check (reference §4.9): letters and digits, 1-255 characters (≤32 is the classic
 * rule; hard server limits are UNCONFIRMED). `strict` enforces the classic 32.
 */
export function isValidDeviceId(deviceId: string, options: { readonly strict?: boolean } = {}): boolean {
  const max = options.strict ? DEVICE_ID_MAX_RECOMMENDED : DEVICE_ID_MAX_ACCEPTED;
  return deviceId.length > 0 && deviceId.length <= max && /^[A-Za-z0-9]+$/.test(deviceId);
}

/** `<QueryString> (<Characteristic>)`, the name Exchange gives a device access rule (format UNCONFIRMED). */
export function formatDeviceAccessRuleName(queryString: string, characteristic: string): string {
  return `${queryString} (${characteristic})`;
}
