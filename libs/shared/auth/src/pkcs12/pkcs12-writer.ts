import { createHash, createHmac, type KeyObject, randomBytes } from 'node:crypto';
import { type Asn1, der, toDerBuffer } from './asn1';
import { Oid } from './oids';
import { encryptPbes2, passwordForms, pkcs12Kdf } from './password-based-encryption';

export interface WritePkcs12Input {
  readonly privateKey: KeyObject;
  /** DER of the certificate that belongs to the key. */
  readonly certificate: Buffer;
  /** DER of issuer certificates to include (leaf excluded). */
  readonly chain?: Buffer[];
  readonly password: string;
  readonly friendlyName?: string;
}

const MAC_ITERATIONS = 2048;

/**
 * Writes a PKCS#12 the way OpenSSL 3 does by default, which Windows 10 1709+/Server 2019+ also import:
 * certificates and key each under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), integrity by an HMAC-SHA256 MAC.
 * node-forge cannot write this (it only writes SHA-1 MACs and leaves certificates unencrypted).
 */
export function writePkcs12(input: WritePkcs12Input): Buffer {
  const localKeyId = createHash('sha1').update(input.certificate).digest();
  const attributes = der.set([
    ...(input.friendlyName ? [attribute(Oid.friendlyName, der.bmp(input.friendlyName))] : []),
    attribute(Oid.localKeyId, der.octets(localKeyId)),
  ]);

  const certBags = [
    certBag(input.certificate, attributes),
    ...(input.chain ?? []).map((issuer) => certBag(issuer, undefined)),
  ];
  const encryptedCerts = encryptPbes2(toDerBuffer(der.seq(certBags)), input.password);
  const certContent = der.seq([
    der.oid(Oid.encryptedData),
    der.explicit(
      0,
      der.seq([
        der.int(0),
        der.seq([
          der.oid(Oid.data),
          encryptedCerts.algorithm,
          der.implicitOctets(0, encryptedCerts.ciphertext),
        ]),
      ]),
    ),
  ]);

  const pkcs8 = input.privateKey.export({ type: 'pkcs8', format: 'der' });
  const encryptedKey = encryptPbes2(pkcs8, input.password);
  const keyBag = der.seq([
    der.oid(Oid.shroudedKeyBag),
    der.explicit(0, der.seq([encryptedKey.algorithm, der.octets(encryptedKey.ciphertext)])),
    attributes,
  ]);
  const keyContent = der.seq([
    der.oid(Oid.data),
    der.explicit(0, der.octets(toDerBuffer(der.seq([keyBag])))),
  ]);

  const authSafe = toDerBuffer(der.seq([certContent, keyContent]));
  const salt = randomBytes(16);
  const macKey = pkcs12Kdf('sha256', passwordForms(input.password)[0].bmp, salt, 3, MAC_ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  const pfx = der.seq([
    der.int(3),
    der.seq([der.oid(Oid.data), der.explicit(0, der.octets(authSafe))]),
    der.seq([
      der.seq([der.seq([der.oid(Oid.sha256), der.null()]), der.octets(mac)]),
      der.octets(salt),
      der.int(MAC_ITERATIONS),
    ]),
  ]);
  return toDerBuffer(pfx);
}

function attribute(type: string, value: Asn1): Asn1 {
  return der.seq([der.oid(type), der.set([value])]);
}

function certBag(certificate: Buffer, attributes: Asn1 | undefined): Asn1 {
  return der.seq([
    der.oid(Oid.certBag),
    der.explicit(0, der.seq([der.oid(Oid.x509Certificate), der.explicit(0, der.octets(certificate))])),
    ...(attributes ? [attributes] : []),
  ]);
}
