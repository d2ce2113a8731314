import { generateServiceKey } from '@easgate/identity';
import { ConsoleGatewayConfigError, consoleGatewayOptionsFromEnv } from './gateway-config';

const aGiven = () => ({
  port: 8080,
  dataDir: '/data',
  services: { 'cert-vault': 'http://vault:8081' },
  serviceKey: generateServiceKey('console-gateway'),
  defaultStaticDir: '/app/dist/apps/console',
});

describe(consoleGatewayOptionsFromEnv.name, () => {
  const sut = consoleGatewayOptionsFromEnv;

  it('keeps what is given and the default console directory when the environment says nothing', () => {
    const options = sut({}, aGiven());
    expect(options).toMatchObject({ port: 8080, dataDir: '/data', staticDir: '/app/dist/apps/console' });
    expect(options).not.toHaveProperty('tls');
    expect(options).not.toHaveProperty('secureCookies');
    expect(options).not.toHaveProperty('oidc');
  });

  it('reads HOST, HTTPS files and secure cookies from the environment', () => {
    const options = sut(
      {
        HOST: '0.0.0.0',
        EASGATE_TLS_CERT_FILE: '/tls/tls.crt',
        EASGATE_TLS_KEY_FILE: '/tls/tls.key',
        CONSOLE_SECURE_COOKIES: 'false',
      },
      aGiven(),
    );
    expect(options).toMatchObject({
      host: '0.0.0.0',
      tls: { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' },
      secureCookies: false,
    });
  });

  it('refuses a certificate without its key', () => {
    expect(() => sut({ EASGATE_TLS_CERT_FILE: '/tls/tls.crt' }, aGiven())).toThrow(
      'EASGATE_TLS_CERT_FILE and EASGATE_TLS_KEY_FILE are needed together',
    );
  });

  it('names a bad setting, never its value', () => {
    const attempt = () => sut({ CONSOLE_SECURE_COOKIES: 'sometimes-secret' }, aGiven());
    expect(attempt).toThrow(ConsoleGatewayConfigError);
    expect(attempt).toThrow('invalid or missing CONSOLE_SECURE_COOKIES');
    expect(attempt).not.toThrow(/sometimes-secret/);
  });
});
