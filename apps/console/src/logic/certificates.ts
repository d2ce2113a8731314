/** A certificate as the vault lists it (metadata only: never a key or a password). */
export interface CertificateRow {
  id: string;
  status: 'pending' | 'active' | 'retiring' | 'retired' | 'failed';
  source: 'created' | 'imported';
  subject: string;
  thumbprintSha1: string;
  notBefore: string;
  notAfter: string;
  createdAt: string;
}

/** What an administrator may do with a certificate in a given status (the vault's allowed moves). */
export function certificateActions(status: CertificateRow['status']): { activate: boolean; retire: boolean } {
  return {
    activate: status === 'pending' || status === 'retiring',
    retire: status === 'pending' || status === 'retiring' || status === 'active',
  };
}

export type ImportBody =
  | { pfxBase64: string; password: string; activate?: boolean }
  | { pem: string; password?: string; activate?: boolean };

/** Whether a file is PEM text (else it is read as a binary PFX). */
export function isPemFile(name: string, head: Uint8Array): boolean {
  if (/\.(pem|crt|key)$/i.test(name)) return true;
  return new TextDecoder().decode(head.slice(0, 32)).includes('-----BEGIN');
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The vault's import body for a chosen file: a PFX as base64 with its password, or PEM text. */
export async function fileToImportBody(
  file: Pick<File, 'name' | 'arrayBuffer'>,
  password: string,
  activate: boolean,
): Promise<ImportBody> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (isPemFile(file.name, bytes))
    return { pem: new TextDecoder().decode(bytes), ...(password && { password }), activate };
  return { pfxBase64: toBase64(bytes), password, activate };
}
