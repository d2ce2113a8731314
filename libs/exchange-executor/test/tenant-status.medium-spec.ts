import { Database } from '@easgate/persistence';
import { createTestDatabase, type TestDatabase, waitFor } from '@easgate/testing';
import { exchangeExecutorService } from '../src';
import type { TenantStatusView } from '../src/application/tenant-status';
import { TenantStatusQueries } from '../src/infra/persistence/tenant-status.queries';
import { type ExecutorWorld, startExecutorWorld } from './support/executor-world';

const statusOf = async (world: ExecutorWorld, tenant = world.tenant) =>
  (await world.api<TenantStatusView>('GET', `/v1/tenants/${tenant}/status`)).body;

/**
 * GET /v1/tenants/:tenant/status over real HTTP, on PostgreSQL, Kafka and the Exchange sandbox: what
 * the console's Exchange ActiveSync screen shows beside the certificate.
 */
describe('exchange-executor tenant status', () => {
  let world: ExecutorWorld;
  let mailbox: string;

  beforeAll(async () => {
    world = await startExecutorWorld({
      name: 'status',
      env: {
        EXECUTOR_THROTTLE_SIGNAL_COUNT: '2',
        EXECUTOR_HEALTH_WINDOW_SECONDS: '600',
        // Open for the rest of the run once it opens: the last test reads it open, not racing a probe.
        EXECUTOR_CIRCUIT_FAILURES: '2',
        EXECUTOR_CIRCUIT_OPEN_MS: '3600000',
      },
    });
    mailbox = world.sandbox.sandbox.store.mailboxBySeq(1)!.userPrincipalName;
  });

  afterAll(async () => {
    await world?.close();
  });

  it('answers for a tenant nothing has happened to yet: no call, no scan, no backlog, circuit closed', async () => {
    const status = await statusOf(world);

    expect(status).toMatchObject({
      tenant: world.tenant,
      knownAs: [world.tenant.toLowerCase(), world.sandbox.organization.toLowerCase()],
      throttling: { active: false, throttledRequests: 0, windowSeconds: 600 },
      circuit: { state: 'closed' },
      discovery: { state: 'none', inventory: { mailboxes: 0 } },
      backlog: { depth: 0, oldestAgeSeconds: 0 },
    });
    expect(status.lastSuccessfulCall).toBeUndefined();
  });

  it('refuses a tenant that is neither a GUID nor a domain with INVALID_TENANT', async () => {
    const res = await world.api<{ code: string }>('GET', '/v1/tenants/no%20such%20tenant/status');

    expect(res).toMatchObject({ status: 400, body: { code: 'INVALID_TENANT' } });
  });

  it('shows a finished discovery with its counts and the inventory it left, by tenant id or domain', async () => {
    const started = await world.api<{ scanId: string }>('POST', `/v1/tenants/${world.tenant}/discovery`);
    await waitFor(
      'the scan to complete',
      async () => (await statusOf(world)).discovery.state === 'completed',
    );

    const byId = await statusOf(world);
    const byDomain = await statusOf(world, world.sandbox.organization);

    expect(byId.discovery).toMatchObject({
      state: 'completed',
      scan: { scanId: started.body.scanId, mailboxes: 6, devices: 12 },
      inventory: { mailboxes: 6, lastObservedAt: expect.any(String) as string },
    });
    expect(byDomain.discovery).toEqual(byId.discovery);
    expect(byId.lastSuccessfulCall).toMatchObject({ source: 'request', what: 'Get-CASMailbox' });
  });

  it('shows the last applied command as the last successful Exchange call', async () => {
    const command = world.commandFor(mailbox, { kind: 'block-device', deviceId: 'ApplSTAT00000001' });
    await world.send(command);
    expect((await world.resultOf(command)).outcome).toBe('applied');

    const status = await statusOf(world);

    expect(status.lastAppliedCommand).toMatchObject({ commandId: command.commandId, action: 'block-device' });
    expect(status.lastSuccessfulCall!.at >= status.lastAppliedCommand!.completedAt).toBe(true);
  });

  it('shows throttling while Exchange answers 429', async () => {
    world.sandbox.sandbox.faults.inject({
      kind: 'http-429',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 2,
      retryAfterSeconds: 0.1,
    });
    const command = world.commandFor(mailbox, { kind: 'allow-device', deviceId: 'ApplSTAT00000002' });
    await world.send(command);
    await world.resultOf(command);

    const status = await statusOf(world);

    expect(status.throttling).toMatchObject({ active: true, throttledRequests: 2, retryAfterSeconds: 0.1 });
  });

  it('shows the circuit open with its reason and the commands waiting behind it', async () => {
    world.sandbox.sandbox.faults.inject({
      kind: 'http-503',
      target: 'adminapi',
      cmdlet: 'Set-CASMailbox',
      count: 1000,
    });
    const command = world.commandFor(mailbox, { kind: 'block-device', deviceId: 'ApplSTAT00000003' });
    await world.send(command);

    const status = await waitFor('the circuit open and the command waiting', async () => {
      const s = await statusOf(world);
      return s.circuit.state === 'open' && s.backlog.depth > 0 && s;
    });

    expect(status.circuit.reason).toMatch(/consecutive failures/);
    expect(status.backlog).toMatchObject({ depth: 1, oldestReceivedAt: expect.any(String) as string });
  });
});

describe(TenantStatusQueries.name, () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const definition = exchangeExecutorService();
    db = await Database.open({
      service: 'status-index-test',
      url: testDb.url,
      entities: definition.entities,
      migrations: definition.migrations,
    });
  });

  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it("finds a tenant's last applied command through the partial index of applied rows", async () => {
    const plan = await db.transaction(async (tx) => {
      // An empty table makes a sequential scan cheapest: ask what the planner does when it must choose.
      await tx.query('SET LOCAL enable_seqscan = off');
      return tx.query<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT completed_at FROM exchange_command_log c
          WHERE c.tenant = $1 AND c.status = 'applied' ORDER BY c.completed_at DESC LIMIT 1`,
        ['contoso.com'],
      );
    });

    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('exchange_command_log_applied_by_tenant');
    await expect(new TenantStatusQueries(db).lastApplied('contoso.com')).resolves.toBeUndefined();
  });
});
