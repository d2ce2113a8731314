import { CertificateCreationError, CertificateCreationErrorCode } from './certificate-creation-error';

export interface NameAttribute {
  /** X.500 attribute type OID. */
  readonly type: string;
  readonly shortName: string;
  readonly value: string;
}

const attributeTypes: Record<string, { type: string; shortName: string }> = {
  CN: { type: '2.5.4.3', shortName: 'CN' },
  O: { type: '2.5.4.10', shortName: 'O' },
  OU: { type: '2.5.4.11', shortName: 'OU' },
  L: { type: '2.5.4.7', shortName: 'L' },
  ST: { type: '2.5.4.8', shortName: 'ST' },
  S: { type: '2.5.4.8', shortName: 'ST' },
  C: { type: '2.5.4.6', shortName: 'C' },
  STREET: { type: '2.5.4.9', shortName: 'STREET' },
  SERIALNUMBER: { type: '2.5.4.5', shortName: 'serialNumber' },
  E: { type: '1.2.840.113549.1.9.1', shortName: 'emailAddress' },
  EMAIL: { type: '1.2.840.113549.1.9.1', shortName: 'emailAddress' },
  EMAILADDRESS: { type: '1.2.840.113549.1.9.1', shortName: 'emailAddress' },
  DC: { type: '0.9.2342.19200300.100.1.25', shortName: 'DC' },
};

/**
 * Parses a subject as admins type it for New-SelfSignedCertificate or the Entra portal: "CN=easgate, O=Contoso".
 * Returned in certificate (DER) order, which is the reverse of the written order (RFC 4514).
 * Backslash escapes a comma or any other character inside a value.
 */
export function parseDistinguishedName(text: string): NameAttribute[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (ch === ',' || ch === ';') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  const attributes = parts.map((part) => {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1).trim();
    const known = attributeTypes[key];
    if (eq < 1 || !known || value === '') {
      throw new CertificateCreationError(
        CertificateCreationErrorCode.InvalidSubject,
        `"${part.trim()}" is not a valid subject part. Write it like "CN=easgate, O=Contoso" (CN, O, OU, L, ST, C, E, DC).`,
      );
    }
    if (known.shortName === 'C' && !/^[A-Za-z]{2}$/.test(value)) {
      throw new CertificateCreationError(
        CertificateCreationErrorCode.InvalidSubject,
        `C must be a two-letter country code, not "${value}".`,
      );
    }
    return { ...known, value };
  });
  if (!attributes.some((a) => a.shortName === 'CN')) {
    throw new CertificateCreationError(
      CertificateCreationErrorCode.InvalidSubject,
      'The subject needs a common name, e.g. "CN=easgate".',
    );
  }
  return attributes.reverse();
}

export function formatDistinguishedName(attributes: NameAttribute[]): string {
  return [...attributes]
    .reverse()
    .map(
      (a) => `${a.shortName === 'emailAddress' ? 'E' : a.shortName}=${a.value.replace(/([,;\\])/g, '\\$1')}`,
    )
    .join(', ');
}
