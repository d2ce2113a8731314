import { hexThumbprintToBase64Url, thumbprints } from './thumbprints';

describe(thumbprints.name, () => {
  it('gives uppercase hex and base64url forms of the SHA-1 and SHA-256 digests', () => {
    const sut = thumbprints(Buffer.from('certificate bytes'));

    expect(sut.sha1).toMatch(/^[0-9A-F]{40}$/);
    expect(sut.sha256).toMatch(/^[0-9A-F]{64}$/);
    expect(sut.x5t).toBe(Buffer.from(sut.sha1, 'hex').toString('base64url'));
    expect(sut.x5tS256).not.toContain('=');
  });
});

describe(hexThumbprintToBase64Url.name, () => {
  it('matches the Entra documentation example', () => {
    expect(hexThumbprintToBase64Url('84E05C1D98BCE3A5421D225B140B36E86A3D5534')).toBe(
      'hOBcHZi846VCHSJbFAs26Go9VTQ',
    );
  });

  it('accepts lowercase and colon-separated thumbprints and refuses non-hex', () => {
    expect(hexThumbprintToBase64Url('84:e0:5c:1d:98:bc:e3:a5:42:1d:22:5b:14:0b:36:e8:6a:3d:55:34')).toBe(
      'hOBcHZi846VCHSJbFAs26Go9VTQ',
    );
    expect(() => hexThumbprintToBase64Url('xyz')).toThrow();
  });
});
