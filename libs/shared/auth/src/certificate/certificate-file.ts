import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { Pkcs12ReadError, Pkcs12ReadFailure, readPkcs12 } from '../pkcs12/pkcs12-reader';
import { CertificateError, CertificateErrorCode } from './certificate-error';

/** A certificate file opened with its password: every key and certificate it holds, not yet judged. */
export interface OpenedCertificateFile {
  readonly format: 'pkcs12' | 'pem';
  readonly keys: KeyObject[];
  readonly certificates: X509Certificate[];
  /** localKeyId (hex) of the key bag, used to prefer the certificate the exporter paired with it. */
  readonly keyLocalIds: (string | undefined)[];
  readonly certificateLocalIds: (string | undefined)[];
  readonly friendlyName?: string;
  /** The private key was stored without encryption (PEM "PRIVATE KEY" or a PKCS#12 keyBag). */
  readonly keyUnencrypted: boolean;
}

/**
 * Opens a PKCS#12/PFX file, or PEM text holding a certificate and its private key (encrypted or not).
 * Throws CertificateError with WRONG_PASSWORD, NOT_PKCS12 or UNSUPPORTED_ENCRYPTION.
 */
export function openCertificateFile(data: Buffer, password: string): OpenedCertificateFile {
  if (looksLikePem(data)) return openPem(data.toString('utf8'), password);
  try {
    const contents = readPkcs12(data, password);
    const keys = contents.keys.map((bag) => createPrivateKey({ key: bag.der, format: 'der', type: 'pkcs8' }));
    const certificates = contents.certificates.map((bag) => new X509Certificate(bag.der));
    return {
      format: 'pkcs12',
      keys,
      certificates,
      keyLocalIds: contents.keys.map((bag) => bag.localKeyId),
      certificateLocalIds: contents.certificates.map((bag) => bag.localKeyId),
      friendlyName: contents.keys[0]?.friendlyName ?? contents.certificates[0]?.friendlyName,
      keyUnencrypted: false,
    };
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    if (err instanceof Pkcs12ReadError) throw fromReadError(err, data);
    throw new CertificateError(
      CertificateErrorCode.NotPkcs12,
      'The file is damaged: a key or certificate inside it cannot be read.',
    );
  }
}

function fromReadError(err: Pkcs12ReadError, data: Buffer): CertificateError {
  switch (err.failure) {
    case Pkcs12ReadFailure.WrongPassword:
      return new CertificateError(
        CertificateErrorCode.WrongPassword,
        'The password is wrong for this file. Check the password you exported it with (and its keyboard layout).',
      );
    case Pkcs12ReadFailure.Unsupported:
      return new CertificateError(
        CertificateErrorCode.UnsupportedEncryption,
        `The file uses encryption easgate cannot read (${err.message}). Re-export it with AES-256 (OpenSSL 3 default, or Windows "AES256-SHA256").`,
      );
    case Pkcs12ReadFailure.NotPkcs12:
      return new CertificateError(CertificateErrorCode.NotPkcs12, notPkcs12Message(data));
  }
}

function notPkcs12Message(data: Buffer): string {
  try {
    new X509Certificate(data);
    return 'This is a certificate without its private key (a .cer/.crt). Use the .pfx/.p12 file that holds the private key.';
  } catch {
    return 'The file is not a PKCS#12 (.pfx/.p12) file, or it is truncated.';
  }
}

function looksLikePem(data: Buffer): boolean {
  return data.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');
}

const pemBlock = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function openPem(text: string, password: string): OpenedCertificateFile {
  const keys: KeyObject[] = [];
  const certificates: X509Certificate[] = [];
  let keyUnencrypted = false;
  for (const match of text.matchAll(pemBlock)) {
    const [block, label] = match;
    if (label === 'CERTIFICATE') {
      certificates.push(new X509Certificate(block));
    } else if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(block)) {
      try {
        keys.push(createPrivateKey({ key: block, format: 'pem', passphrase: password }));
      } catch {
        throw new CertificateError(
          CertificateErrorCode.WrongPassword,
          'The password does not decrypt the private key in this PEM file.',
        );
      }
    } else if (label?.endsWith('PRIVATE KEY')) {
      keys.push(createPrivateKey({ key: block, format: 'pem' }));
      keyUnencrypted = true;
    }
  }
  if (keys.length === 0 && certificates.length === 0) {
    throw new CertificateError(
      CertificateErrorCode.NotPkcs12,
      'The PEM file holds neither a certificate nor a private key.',
    );
  }
  return {
    format: 'pem',
    keys,
    certificates,
    keyLocalIds: keys.map(() => undefined),
    certificateLocalIds: certificates.map(() => undefined),
    keyUnencrypted,
  };
}
