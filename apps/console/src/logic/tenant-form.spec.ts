import { keyCredentialsJson, tenantFormErrors } from './tenant-form';

const aForm = (overrides = {}) => ({
  tenantId: '0b2c1c3e-6a59-4d2f-9a55-3c0a8d2f1e11',
  appId: '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d',
  organization: 'contoso.onmicrosoft.com',
  cloud: 'O365Default',
  ...overrides,
});

describe(tenantFormErrors.name, () => {
  it('accepts a complete form', () => {
    expect(tenantFormErrors(aForm())).toEqual({});
  });

  it('names each bad field with where to find the right value', () => {
    const sut = tenantFormErrors(
      aForm({ tenantId: 'contoso', appId: '', organization: 'contoso.com', cloud: 'x' }),
    );
    expect(Object.keys(sut).sort()).toEqual(['appId', 'cloud', 'organization', 'tenantId']);
    expect(sut.tenantId).toContain('Tenant ID');
  });
});

describe(keyCredentialsJson.name, () => {
  it('puts the base64 body of the certificate into a keyCredentials entry', () => {
    const sut = JSON.parse(
      keyCredentialsJson('-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n-----END CERTIFICATE-----\n', 'easgate'),
    );
    expect(sut.keyCredentials[0]).toEqual({
      type: 'AsymmetricX509Cert',
      usage: 'Verify',
      key: 'QUJDREVG',
      displayName: 'easgate',
    });
  });
});
