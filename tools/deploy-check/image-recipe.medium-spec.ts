import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@easgate/testing';
import { replayDockerfile, type ReplayedImage } from './dockerfile-replay';
import { startProcess, type StartedProcess } from './local-process';

const ROOT = join(__dirname, '../..');
const NOBODY = 65534;

// No Docker engine here: the Dockerfile's recipe is replayed in a scratch directory (same npm ci, same
// copied paths, same command), then a service is started from the result the way the image would run
// it: as a user who owns nothing but the data directory, on a root it cannot write.
describe('deploy/docker/Dockerfile', () => {
  let scratch: string;
  let image: ReplayedImage;
  let database: TestDatabase;
  const processes: StartedProcess[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'easgate-image-'));
    chmodSync(scratch, 0o755);
    image = replayDockerfile({
      dockerfile: join(ROOT, 'deploy/docker/Dockerfile'),
      context: ROOT,
      scratch,
      workspaceNodeModules: join(ROOT, 'node_modules'),
    });
    database = await createTestDatabase('easgate_image');
  }, 600_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await database?.drop();
    if (scratch) {
      execFileSync('chmod', ['-R', 'u+w', scratch]);
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  const app = () => join(image.rootfs, image.workdir);

  it('ships compiled code and production dependencies only, no TypeScript source', () => {
    expect(existsSync(join(app(), 'dist/apps/cert-vault/main.js'))).toBe(true);
    expect(existsSync(join(app(), 'dist/apps/console-gateway/main.js'))).toBe(true);
    // The console's static files, where the image's EASGATE_CONSOLE_DIR points.
    expect(existsSync(join(app(), 'dist/apps/console/index.html'))).toBe(true);
    expect(image.env['EASGATE_CONSOLE_DIR']).toBe(`${image.workdir}/dist/apps/console`);
    expect(existsSync(join(app(), 'node_modules/kafkajs'))).toBe(true);
    expect(existsSync(join(app(), 'node_modules/jest'))).toBe(false);
    expect(existsSync(join(app(), 'node_modules/nx'))).toBe(false);
    expect(existsSync(join(app(), 'node_modules/eslint'))).toBe(false);
    expect(existsSync(join(app(), 'libs'))).toBe(false);
    expect(existsSync(join(app(), 'apps'))).toBe(false);
  });

  it('runs as a non-root user, in production mode, with OCI labels', () => {
    expect(image.user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(image.env['NODE_ENV']).toBe('production');
    expect(Object.keys(image.labels)).toEqual(
      expect.arrayContaining([
        'org.opencontainers.image.title',
        'org.opencontainers.image.source',
        'org.opencontainers.image.version',
        'org.opencontainers.image.revision',
        'org.opencontainers.image.licenses',
      ]),
    );
  });

  it("runs the default command's program (the compiled easgate)", () => {
    const [node, ...args] = image.cmd;
    expect(node).toBe('node');
    const out = execFileSync(process.execPath, [...args.slice(0, 1), '--help'], {
      cwd: app(),
      env: { PATH: process.env['PATH'], ...image.env },
      encoding: 'utf8',
    });
    expect(out).toContain('Usage: easgate');
  });

  it('starts a service to ready on Kafka and PostgreSQL with a read-only root and writes only its data dir', async () => {
    const dataDir = join(scratch, 'data');
    const secrets = join(scratch, 'secrets');
    mkdirSync(dataDir);
    mkdirSync(secrets, { mode: 0o755 });
    writeFileSync(join(secrets, 'api-token'), randomBytes(16).toString('hex'), { mode: 0o644 });
    writeFileSync(join(secrets, 'master-key'), randomBytes(32).toString('base64'), { mode: 0o644 });
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(dataDir, NOBODY, NOBODY);
    execFileSync('chmod', ['-R', 'a-w', image.rootfs]);

    const port = 20_000 + Math.floor(Math.random() * 800);
    const service = startProcess({
      command: ['node', 'dist/apps/cert-vault/main.js'],
      cwd: app(),
      env: {
        PATH: process.env['PATH']!,
        ...image.env,
        EASGATE_DATA_DIR: dataDir,
        HOME: dataDir,
        HOST: '127.0.0.1',
        PORT: String(port),
        KAFKA_BROKERS: process.env['KAFKA_BROKERS']!,
        DATABASE_URL: database.url,
        EASGATE_API_TOKEN_FILE: join(secrets, 'api-token'),
        VAULT_MASTER_KEY_FILE: join(secrets, 'master-key'),
      },
      ...(asRoot && { uid: NOBODY, gid: NOBODY }),
    });
    processes.push(service);

    const ready = await service.waitForHttp(`http://127.0.0.1:${port}/health/ready`, 60_000);
    expect(ready).toMatchObject({ status: 'ok', service: 'cert-vault', database: 'postgres' });
  }, 90_000);
});
