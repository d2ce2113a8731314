import { certificateActions, fileToImportBody, isPemFile, toBase64 } from './certificates';

const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

const file = (name: string, content: Uint8Array) => ({
  name,
  arrayBuffer: () => Promise.resolve(content.buffer.slice(0) as ArrayBuffer),
});

describe(certificateActions.name, () => {
  it('offers activate to pending and retiring certificates and retire to every live one', () => {
    expect(certificateActions('pending')).toEqual({ activate: true, retire: true });
    expect(certificateActions('active')).toEqual({ activate: false, retire: true });
    expect(certificateActions('retiring')).toEqual({ activate: true, retire: true });
    expect(certificateActions('retired')).toEqual({ activate: false, retire: false });
    expect(certificateActions('failed')).toEqual({ activate: false, retire: false });
  });
});

describe(fileToImportBody.name, () => {
  it('sends a PFX as base64 with its password', async () => {
    const bytes = new Uint8Array([0x30, 0x82, 0x01, 0xff, 0x00]);
    const body = await fileToImportBody(file('app.pfx', bytes), 'pw', true);
    expect(body).toMatchObject({ password: 'pw', activate: true });
    expect(decode((body as { pfxBase64: string }).pfxBase64)).toEqual(bytes);
  });

  it('sends PEM text as pem, recognised by its name or its BEGIN line', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const bytes = new TextEncoder().encode(pem);
    await expect(fileToImportBody(file('cert.txt', bytes), '', false)).resolves.toEqual({
      pem,
      activate: false,
    });
    expect(isPemFile('key.pem', new Uint8Array())).toBe(true);
  });

  it('encodes large files to base64 without overflowing the call stack', () => {
    const big = new Uint8Array(200_000).map((_, i) => i % 256);
    expect(decode(toBase64(big))).toEqual(big);
  });
});
