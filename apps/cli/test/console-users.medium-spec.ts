import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalUsers } from '@easgate/console-gateway';

const ROOT = resolve(__dirname, '../../..');

function easgate(args: string[], stdin = '') {
  return spawnSync(process.execPath, [join(ROOT, 'tools/bin/easgate.js'), ...args], {
    cwd: ROOT,
    input: stdin,
    encoding: 'utf8',
  });
}

/** `easgate identity add-console-user / remove-console-user` on a gateway's data directory. */
describe('easgate identity add-console-user', () => {
  let dataDir: string;
  const password = 'a long enough password';
  const users = () => new LocalUsers(join(dataDir, 'console-users.json'));

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'console-users-'));
    const first = users();
    await first.bootstrap(first.issueBootstrapCode()!, 'admin', password);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('adds an auditor of one tenant with the password from standard input, then removes it', async () => {
    const add = ['identity', 'add-console-user', '--data-dir', dataDir, '--id', 'ann'];
    const added = easgate([...add, '--role', 'auditor', '--tenant', 'contoso'], `${password}\n`);
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    await expect(users().authenticate('ann', password)).resolves.toEqual({
      kind: 'user',
      id: 'ann',
      roles: ['auditor'],
      tenants: ['contoso'],
    });

    const removed = easgate(['identity', 'remove-console-user', '--data-dir', dataDir, '--id', 'ann']);
    expect(removed.status).toBe(0);
    await expect(users().authenticate('ann', password)).resolves.toBeUndefined();
  });

  it('refuses a short password and a role the model does not have', () => {
    const add = ['identity', 'add-console-user', '--data-dir', dataDir, '--id', 'bob', '--all-tenants'];
    const short = easgate([...add, '--role', 'operator'], 'short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('password');
    const role = easgate([...add, '--role', 'mdm-publisher'], `${password}\n`);
    expect(role.status).toBe(1);
    expect(role.stderr).toContain('--role');
  });
});
