import { refusedPeerCertificate, TLS_CA_FILE_ENV } from './peer-trust';
import { TlsErrorCode } from './tls-error';

const fetchFailure = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error('handshake'), { code }) });

describe(refusedPeerCertificate.name, () => {
  it('says which host is not trusted and to set the CA file for an unknown issuer', () => {
    const sut = refusedPeerCertificate(
      fetchFailure('UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      'https://cert-vault:8081/v1/tenant-connections',
    );

    expect(sut?.code).toBe(TlsErrorCode.PeerCertificateRefused);
    expect(sut?.message).toBe(
      `the certificate of cert-vault:8081 is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): set ${TLS_CA_FILE_ENV} to the CA that issued its certificate (easgate tls init makes one)`,
    );
  });

  it('names the host a certificate does not cover', () => {
    const sut = refusedPeerCertificate(
      fetchFailure('ERR_TLS_CERT_ALTNAME_INVALID'),
      'https://vault.internal/',
    );

    expect(sut?.message).toMatch(/does not name vault\.internal.*--hosts/);
  });

  it('leaves other failures to the caller', () => {
    expect(refusedPeerCertificate(fetchFailure('ECONNREFUSED'), 'https://a:1/')).toBeUndefined();
    expect(refusedPeerCertificate('not an error', 'https://a:1/')).toBeUndefined();
  });
});
