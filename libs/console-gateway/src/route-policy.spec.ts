import { type Identity, permitsRole, mayActFor } from './identity-port';
import { policyOf } from './route-policy';

const aRequest = (
  service: 'cert-vault' | 'alerting' | 'exchange-executor' | 'policy-translator',
  method: string,
  path: string,
) => ({
  service,
  method,
  path,
  query: new URLSearchParams(path.split('?')[1] ?? ''),
});

const anAuditor: Identity = { kind: 'user', id: 'ann', roles: ['auditor'], tenants: ['contoso'] };
const anOperator: Identity = { kind: 'user', id: 'olga', roles: ['operator'], tenants: ['contoso'] };

describe(policyOf.name, () => {
  it('lets auditors read, operators write alerts, and keeps certificate and Exchange writes for admins', () => {
    const read = policyOf(aRequest('alerting', 'GET', '/v1/tenants/contoso/alerts'));
    const ack = policyOf(aRequest('alerting', 'POST', '/v1/tenants/contoso/alerts/f1/acknowledge'));
    const create = policyOf(aRequest('cert-vault', 'POST', '/v1/tenant-connections/c1/certificates'));
    const test = policyOf(aRequest('exchange-executor', 'POST', '/v1/tenants/contoso/connection-test'));
    expect([read, ack, create, test].map((p) => (p.allowed ? p.need : 'refused'))).toEqual([
      'auditor',
      'operator',
      'admin',
      'admin',
    ]);
    expect(read.allowed && permitsRole(read.need, anAuditor)).toBe(true);
    expect(ack.allowed && permitsRole(ack.need, anAuditor)).toBe(false);
    expect(ack.allowed && permitsRole(ack.need, anOperator)).toBe(true);
  });

  it('finds the tenant in the path, resolves a connection by its id, and needs every tenant otherwise', () => {
    expect(policyOf(aRequest('alerting', 'GET', '/v1/tenants/contoso/alerts'))).toMatchObject({
      tenant: { kind: 'tenant', tenant: 'contoso' },
    });
    expect(policyOf(aRequest('cert-vault', 'GET', '/v1/tenant-connections/c1/certificates'))).toMatchObject({
      tenant: { kind: 'resolved', recordId: 'c1' },
    });
    expect(policyOf(aRequest('cert-vault', 'GET', '/v1/audit'))).toMatchObject({ tenant: { kind: 'all' } });
    expect(mayActFor(anAuditor, 'CONTOSO')).toBe(true);
    expect(mayActFor(anAuditor, 'fabrikam')).toBe(false);
  });

  it('never reaches internal routes', () => {
    expect(
      policyOf(aRequest('cert-vault', 'POST', '/internal/v1/tenant-connections/c1/client-assertion')).allowed,
    ).toBe(false);
  });
});
