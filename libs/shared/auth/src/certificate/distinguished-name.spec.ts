import { formatDistinguishedName, parseDistinguishedName } from './distinguished-name';
import { thrown } from '../testing/thrown';

describe(parseDistinguishedName.name, () => {
  it('parses "CN=…, O=…" into certificate order (most general first)', () => {
    const sut = parseDistinguishedName('CN=easgate, O=Contoso, C=DE');

    expect(sut.map((a) => `${a.shortName}=${a.value}`)).toEqual(['C=DE', 'O=Contoso', 'CN=easgate']);
    expect(formatDistinguishedName(sut)).toBe('CN=easgate, O=Contoso, C=DE');
  });

  it('keeps escaped commas and non-ASCII values', () => {
    const sut = parseDistinguishedName('CN=Müller\\, Jörg, O=Contoso');

    expect(sut[1]).toMatchObject({ shortName: 'CN', value: 'Müller, Jörg' });
  });

  it.each(['O=Contoso', 'CN=', 'XX=1, CN=a', 'CN=a, C=Germany'])('refuses "%s"', (text) => {
    expect(thrown(() => parseDistinguishedName(text))).toMatchObject({ code: 'INVALID_SUBJECT' });
  });
});
