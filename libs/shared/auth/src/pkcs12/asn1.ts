import forge from 'node-forge';

// Thin typed helpers over node-forge's ASN.1 codec (forge keeps bytes in "binary" strings).
export type Asn1 = forge.asn1.Asn1;
const { Class, Type } = forge.asn1;

export class Asn1FormatError extends Error {}

export function parseDer(der: Buffer): Asn1 {
  try {
    return forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  } catch (err) {
    throw new Asn1FormatError(err instanceof Error ? err.message : 'not DER');
  }
}

export function toDerBuffer(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

export function children(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !Array.isArray(node.value)) throw new Asn1FormatError(`${what}: expected a constructed value`);
  return node.value;
}

export function child(node: Asn1 | undefined, index: number, what: string): Asn1 {
  const found = children(node, what)[index];
  if (!found) throw new Asn1FormatError(`${what}: missing element ${index}`);
  return found;
}

export function oid(node: Asn1 | undefined, what: string): string {
  if (!node || node.type !== Type.OID || typeof node.value !== 'string') {
    throw new Asn1FormatError(`${what}: expected an OID`);
  }
  return forge.asn1.derToOid(node.value);
}

/** OCTET STRING content; BER allows it to be constructed from chunks (some Windows and Java exports do that). */
export function octets(node: Asn1 | undefined, what: string): Buffer {
  if (!node) throw new Asn1FormatError(`${what}: missing`);
  if (typeof node.value === 'string') return Buffer.from(node.value, 'binary');
  return Buffer.concat(node.value.map((part) => octets(part, what)));
}

export function integer(node: Asn1 | undefined, what: string): number {
  if (!node || node.type !== Type.INTEGER || typeof node.value !== 'string') {
    throw new Asn1FormatError(`${what}: expected an INTEGER`);
  }
  return forge.asn1.derToInteger(node.value);
}

export function isContextTag(node: Asn1 | undefined, tag: number): node is Asn1 {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && (node.type as number) === tag;
}

/** forge decodes BMPString into a JS string of UTF-16 code units already; other string types stay UTF-8 bytes. */
export function bmpString(node: Asn1 | undefined): string | undefined {
  if (!node || typeof node.value !== 'string') return undefined;
  if (node.type === Type.BMPSTRING) return node.value;
  return Buffer.from(node.value, 'binary').toString('utf8');
}

// Builders used by the PKCS#12 writer.
export const der = {
  seq: (items: Asn1[]): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items),
  set: (items: Asn1[]): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.SET, true, items),
  oid: (value: string): Asn1 =>
    forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(value).getBytes()),
  int: (value: number): Asn1 =>
    forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(value).getBytes()),
  octets: (value: Buffer): Asn1 =>
    forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, value.toString('binary')),
  // forge encodes a BMPString from the JS string's UTF-16 code units itself.
  bmp: (value: string): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.BMPSTRING, false, value),
  null: (): Asn1 => forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, ''),
  explicit: (tag: number, inner: Asn1): Asn1 => forge.asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [inner]),
  implicitOctets: (tag: number, value: Buffer): Asn1 =>
    forge.asn1.create(Class.CONTEXT_SPECIFIC, tag, false, value.toString('binary')),
  raw: (value: Buffer): Asn1 => parseDer(value),
};
