import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { InProcessBus } from '@easgate/messaging';
import { initServiceTls, TlsErrorCode } from '@easgate/tls';
import { Agent, fetch } from 'undici';
import { startService, tlsFromEnv } from '../src/start-service';

@Module({})
class EmptyModule {}

describe(tlsFromEnv.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runtime-tls-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves HTTPS with the configured certificate on the address it is given', async () => {
    const material = initServiceTls({ dir: join(dir, 'tls'), components: ['tls-probe'] });
    const [{ certFile, keyFile }] = material.certificates;
    const bus = new InProcessBus();
    const sut = await startService(
      {
        name: 'tls-probe',
        defaultPort: 0,
        entities: [],
        migrations: [],
        module: () => ({ module: EmptyModule }),
      },
      {
        bus,
        dataDir: ':memory:',
        port: 0,
        host: '127.0.0.1',
        apiToken: 'a-token-long-enough-for-the-test',
        tls: tlsFromEnv({
          EASGATE_TLS_CERT_FILE: certFile,
          EASGATE_TLS_KEY_FILE: keyFile,
          EASGATE_TLS_CA_FILE: material.caFile,
        }),
      },
    );
    const agent = new Agent({ connect: { ca: readFileSync(material.caFile, 'utf8') } });
    try {
      const live = await fetch(`${sut.url}/health/live`, { dispatcher: agent });

      expect(sut.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(live.status).toBe(200);
      expect(() => tlsFromEnv({ EASGATE_TLS_CERT_FILE: certFile })).toThrow(/together/);
    } finally {
      await agent.close();
      await sut.close();
      await bus.close();
    }
  });

  it('refuses a CA file it cannot read before anything starts, naming the setting', () => {
    const missing = join(dir, 'no-such-ca.crt');

    expect(() => tlsFromEnv({ EASGATE_TLS_CA_FILE: missing })).toThrow(
      /^EASGATE_TLS_CA_FILE: cannot read .*no-such-ca\.crt \(ENOENT\)$/,
    );
    try {
      tlsFromEnv({ EASGATE_TLS_CA_FILE: missing });
    } catch (err) {
      expect((err as { code: string }).code).toBe(TlsErrorCode.CaFileInvalid);
    }
  });
});
