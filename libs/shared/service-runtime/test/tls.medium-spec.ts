import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { InProcessBus } from '@easgate/messaging';
import { Agent, fetch } from 'undici';
import { startService, tlsFromEnv } from '../src/start-service';

@Module({})
class EmptyModule {}

describe(tlsFromEnv.name, () => {
  it('serves HTTPS with the configured certificate on the address it is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runtime-tls-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
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
        tls: tlsFromEnv({ EASGATE_TLS_CERT_FILE: certFile, EASGATE_TLS_KEY_FILE: keyFile }),
      },
    );
    const agent = new Agent({ connect: { ca: readFileSync(certFile, 'utf8') } });
    try {
      const live = await fetch(`${sut.url}/health/live`, { dispatcher: agent });

      expect(sut.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(live.status).toBe(200);
      expect(() => tlsFromEnv({ EASGATE_TLS_CERT_FILE: certFile })).toThrow(/together/);
    } finally {
      await agent.close();
      await sut.close();
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
