export enum TlsErrorCode {
  /** EASGATE_TLS_CA_FILE (or a flag naming a CA) is missing, unreadable or not a PEM certificate. */
  CaFileInvalid = 'TLS_CA_FILE_INVALID',
  /** A peer presented a certificate this process does not trust (unknown CA, wrong name, expired). */
  PeerCertificateRefused = 'TLS_PEER_CERTIFICATE_REFUSED',
  /** Material on disk that cannot be used as it is (a key others may read, a certificate that does not parse). */
  MaterialInvalid = 'TLS_MATERIAL_INVALID',
}

/** A TLS setting or peer that cannot be used. Never carries key material. */
export class TlsError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: TlsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
