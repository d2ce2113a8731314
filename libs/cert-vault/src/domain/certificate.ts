/** A certificate's place in its tenant connection: one active, others pending, retiring, retired or failed. */
export type CertificateStatus = 'pending' | 'active' | 'retiring' | 'retired' | 'failed';

export type SigningAlgorithm = 'RS256' | 'PS256';

export interface TenantConnection {
  readonly id: string;
  readonly tenantId: string;
  readonly appId: string;
  readonly organization: string;
  readonly cloud: string;
  readonly authorityHost?: string;
  readonly exchangeEndpoint?: string;
  /** Microsoft Graph base URL override (e.g. the sandbox). */
  readonly graphUrl?: string;
  /** The Entra application *object* id, for Graph addKey/removeKey. */
  readonly applicationObjectId?: string;
  readonly signingAlgorithm: SigningAlgorithm;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What the API shows of a certificate: metadata only. */
export interface CertificateMetadata {
  readonly id: string;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly status: CertificateStatus;
  readonly source: 'created' | 'imported';
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly thumbprintSha1: string;
  readonly thumbprintSha256: string;
  readonly keySize: number | null;
  readonly chainLength: number;
  readonly createdAt: string;
  readonly activatedAt?: string;
  readonly retireAt?: string;
  readonly retiredAt?: string;
  /** The key id Graph gave the certificate when the vault added it to the Entra app. */
  readonly graphKeyId?: string;
}

/** Which status moves are allowed (activation and retirement are the only manual ones). */
export function canMove(from: CertificateStatus, to: CertificateStatus): boolean {
  switch (to) {
    case 'active':
      return from === 'pending' || from === 'retiring';
    case 'retiring':
      return from === 'active';
    case 'retired':
      return from === 'pending' || from === 'retiring' || from === 'active';
    case 'failed':
      return from === 'pending';
    case 'pending':
      return false;
  }
}
