import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AccessPolicy,
  CallerDirectory,
  ConsoleGatewayService,
  type Identity,
  issueDelegatedToken,
  issueServiceToken,
  mayActFor,
  newCaller,
} from '@easgate/identity';
import { MdmEventTypes } from '@easgate/contracts';
import { InProcessBus } from '@easgate/messaging';
import { provisionServiceIdentities, type RunningService, startService } from '@easgate/service-runtime';
import { embeddedServices } from '../src/embedded/services';

/**
 * The authorization matrix: every route of every service's OpenAPI document × every kind of caller ×
 * its own and another tenant. Each route must publish its policy (x-easgate-access); the answer must be
 * 401 without credentials, 403 FORBIDDEN_ROLE / FORBIDDEN_TENANT where the policy refuses, and never one of
 * those where it admits. A route without a policy fails the test.
 */
const OWN = randomUUID();
const OTHER = randomUUID();
const DENIALS = ['UNAUTHENTICATED', 'FORBIDDEN_ROLE', 'FORBIDDEN_TENANT', 'ROUTE_WITHOUT_ACCESS_POLICY'];

interface Caller {
  readonly name: string;
  readonly identity: Identity;
  authorization(audience: string): string;
}

/** Who may pass the role check, written out here rather than taken from the code under test. */
const ADMITTED: Record<AccessPolicy['need'], string[]> = {
  auditor: ['auditor', 'operator', 'admin'],
  operator: ['operator', 'admin'],
  admin: ['admin'],
  'mdm-publisher': ['mdm-publisher', 'admin'],
  service: [],
};

function roleAllows(policy: AccessPolicy, identity: Identity): boolean {
  if (identity.kind === 'service') return policy.services?.includes(identity.id) ?? false;
  return identity.roles.some((role) => ADMITTED[policy.need].includes(role));
}

describe('authorization matrix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'easgate-authz-'));
  const bus = new InProcessBus();
  const services: RunningService[] = [];
  const callers: Caller[] = [];
  const connectionOf: Record<string, string> = {};

  beforeAll(async () => {
    const people = [
      { id: 'publisher-own', kind: 'publisher', roles: ['mdm-publisher'], tenants: [OWN] },
      { id: 'auditor-own', kind: 'user', roles: ['auditor'], tenants: [OWN] },
      { id: 'operator-own', kind: 'user', roles: ['operator'], tenants: [OWN] },
      { id: 'admin-own', kind: 'user', roles: ['admin'], tenants: [OWN] },
      { id: 'admin-all', kind: 'user', roles: ['admin'], tenants: '*' },
    ] as const;
    const issued = people.map((p) =>
      newCaller({ ...p, roles: [...p.roles], tenants: p.tenants === '*' ? '*' : [...p.tenants] }),
    );
    const directory = CallerDirectory.of(issued.map((i) => i.record));
    // The services' keys as `easgate start` makes them; here each service is trusted for the own tenant only.
    const identities = provisionServiceIdentities(
      join(dir, 'identity'),
      [...embeddedServices.map((d) => d.name), ConsoleGatewayService],
      [OWN],
    );
    const urls: Record<string, string> = {};
    for (const definition of embeddedServices) {
      const running = await startService(definition, {
        bus,
        dataDir: dir,
        port: 0,
        env: {
          VAULT_EXPIRY_SCANNER: 'false',
          LOG_LEVEL: 'error',
          EASGATE_ALLOWED_ENDPOINT_HOSTS: '127.0.0.1:1',
        },
        // No peers: the executor answers its tenant routes at once (no vault, so no connection)
        // instead of trying to reach Exchange; the executor's calls to the vault are in start.medium-spec.
        identity: {
          callers: directory,
          serviceKey: identities.keys.get(definition.name)!,
          trustedServices: identities.trusted,
        },
      });
      services.push(running);
      urls[definition.name] = running.url;
    }
    // People first, the all-tenant admin last: what it deletes is gone for nobody after it.
    for (const [index, person] of people.entries()) {
      const token = issued[index].token;
      callers.push({
        name: person.id,
        identity: directory.authenticate(token)!,
        authorization: () => `Bearer ${token}`,
      });
    }
    const executorKey = identities.keys.get('exchange-executor')!;
    callers.splice(3, 0, {
      name: 'service:exchange-executor',
      identity: { kind: 'service', id: 'exchange-executor', roles: ['service'], tenants: [OWN] },
      authorization: (audience) => `Bearer ${issueServiceToken(executorKey, audience)}`,
    });
    // A console user as the gateway presents it: the same roles and tenant checks as an API-token user.
    const gatewayKey = identities.keys.get(ConsoleGatewayService)!;
    const consoleOperator = { id: 'console-operator-own', roles: ['operator'] as const, tenants: [OWN] };
    callers.splice(callers.length - 1, 0, {
      name: 'console:operator-own',
      identity: { kind: 'user', ...consoleOperator, roles: ['operator'], via: ConsoleGatewayService },
      authorization: (audience) => `Bearer ${issueDelegatedToken(gatewayKey, audience, consoleOperator)}`,
    });
    const admin = callers.find((c) => c.name === 'admin-all')!;
    for (const tenant of [OWN, OTHER]) {
      const created = await fetch(`${urls['cert-vault']}/v1/tenant-connections`, {
        method: 'POST',
        headers: { authorization: admin.authorization('cert-vault'), 'content-type': 'application/json' },
        body: JSON.stringify({
          tenantId: tenant,
          appId: randomUUID(),
          organization: `t${tenant.slice(0, 8)}.onmicrosoft.com`,
          authorityHost: 'https://127.0.0.1:1',
          graphUrl: 'https://127.0.0.1:1',
        }),
      });
      expect(created.status).toBe(201);
      connectionOf[tenant] = ((await created.json()) as { id: string }).id;
    }
  });

  afterAll(async () => {
    for (const service of services.reverse()) await service.close();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A body that names the tenant, for the routes whose handler checks the tenants of the body. */
  const handlerBodies: Partial<Record<string, (tenant: string) => unknown>> = {
    // A valid compliance event: the tenant is checked on what the event would act on, its data.
    'POST /v1/mdm/events': (tenant) => ({
      specversion: '1.0',
      id: randomUUID(),
      source: '//matrix',
      type: MdmEventTypes.DeviceCompliance,
      subject: 'matrix-device',
      time: new Date().toISOString(),
      data: {
        tenant,
        userPrincipalName: 'ada@contoso.com',
        easDeviceIds: ['EASMATRIX'],
        mdmDeviceId: 'matrix-device',
        platform: 'iOS',
        model: 'iPhone15,2',
        osVersion: '18.1',
        state: 'compliant',
        reasons: [],
        observedAt: new Date().toISOString(),
      },
    }),
    'POST /v1/tenant-connections': (tenant) => ({
      tenantId: tenant,
      appId: randomUUID(),
      organization: `m${randomUUID().slice(0, 8)}.onmicrosoft.com`,
    }),
  };

  it('admits and refuses every route × caller × tenant as its declared policy says', async () => {
    const withoutPolicy: string[] = [];
    const wrong: string[] = [];
    let checked = 0;
    const routes: { service: RunningService; method: string; path: string; policy?: AccessPolicy }[] = [];
    for (const service of services) {
      const doc = (await (await fetch(`${service.url}/docs/openapi.json`)).json()) as {
        paths: Record<string, Record<string, Record<string, unknown>>>;
      };
      for (const [path, operations] of Object.entries(doc.paths))
        for (const [method, operation] of Object.entries(operations)) {
          const declared = operation['x-easgate-access'] as (AccessPolicy & { public?: true }) | undefined;
          if (!declared) withoutPolicy.push(`${service.name} ${method.toUpperCase()} ${path}`);
          else if (declared.public) {
            const res = await fetch(`${service.url}${path}`, { method: method.toUpperCase() });
            checked += 1;
            if (res.status === 401) wrong.push(`${service.name} ${path}: public route asked for credentials`);
          } else routes.push({ service, method: method.toUpperCase(), path, policy: declared });
        }
    }
    // Deletions last, so that what they remove is not needed by the other routes.
    routes.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));

    for (const { service, method, path, policy } of routes) {
      for (const tenant of [OWN, OTHER]) {
        const url =
          service.url +
          path.replace(/\{(\w+)\}/g, (_m, name: string) =>
            name === 'tenant' ? tenant : name === 'connectionId' ? connectionOf[tenant] : 'no-such-id',
          );
        const bodyOf = handlerBodies[`${method} ${path}`];
        const body =
          method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(bodyOf?.(tenant) ?? {});
        const send = (authorization?: string) =>
          fetch(url, {
            method,
            headers: {
              ...(authorization !== undefined && { authorization }),
              ...(body !== undefined && { 'content-type': 'application/json' }),
            },
            ...(body !== undefined && { body }),
          }).then(async (res) => ({
            status: res.status,
            code: ((await res.json().catch(() => ({}))) as { code?: string }).code,
          }));

        const anonymous = await send();
        checked += 1;
        if (anonymous.status !== 401) wrong.push(`${method} ${path} anonymous → ${anonymous.status}`);
        for (const caller of callers) {
          const scope = policy!.tenant;
          const recordExists =
            scope.kind !== 'resolved' ||
            (scope.resolver === 'connection' && connectionOf[tenant] !== undefined);
          const tenantAllows =
            scope.kind === 'all'
              ? caller.identity.tenants === '*'
              : scope.kind === 'param' || scope.kind === 'resolved'
                ? recordExists
                  ? mayActFor(caller.identity, tenant)
                  : caller.identity.tenants === '*'
                : bodyOf
                  ? mayActFor(caller.identity, tenant)
                  : true;
          const expected = !roleAllows(policy!, caller.identity)
            ? 'FORBIDDEN_ROLE'
            : !tenantAllows
              ? 'FORBIDDEN_TENANT'
              : 'admitted';
          const answer = await send(caller.authorization(service.name));
          checked += 1;
          const got = answer.code !== undefined && DENIALS.includes(answer.code) ? answer.code : 'admitted';
          const deniedRight = expected !== 'admitted' && answer.status === 403 && got === expected;
          if (!(deniedRight || (expected === 'admitted' && got === 'admitted')))
            wrong.push(
              `${service.name} ${method} ${path} ${caller.name} ${tenant === OWN ? 'own' : 'other'} tenant: expected ${expected}, got ${answer.status} ${answer.code ?? ''}`,
            );
        }
      }
    }
    // Figures for the closing note: routes × callers × tenants.
    process.stdout.write(
      `[authorization matrix] ${routes.length} routes × ${callers.length + 1} callers (with anonymous) × 2 tenants: ${checked} requests checked\n`,
    );
    expect(withoutPolicy).toEqual([]);
    expect(wrong).toEqual([]);
    expect(routes.length).toBeGreaterThan(40);
  });
});
