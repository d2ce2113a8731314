import { Counter, Gauge, register } from 'prom-client';

type SignatureLabels = 'outcome' | 'code';
type ExpiryLabels = 'tenant_id' | 'connection_id' | 'certificate_id' | 'status';

/** Prometheus metrics of the vault (on the runtime's /metrics). Labels carry ids, never secrets. */
export class VaultMetrics {
  private readonly signatures: Counter<SignatureLabels>;
  private readonly notAfter: Gauge<ExpiryLabels>;
  private readonly signingKeys: Counter<'source'>;

  constructor() {
    this.signingKeys =
      (register.getSingleMetric('easgate_vault_signing_keys_total') as Counter<'source'> | undefined) ??
      new Counter({
        name: 'easgate_vault_signing_keys_total',
        help: 'Signing keys used for client assertions, by source: cache (kept imported) or unwrap (envelope opened)',
        labelNames: ['source'],
      });
    this.signatures =
      (register.getSingleMetric('easgate_vault_signatures_total') as Counter<SignatureLabels> | undefined) ??
      new Counter({
        name: 'easgate_vault_signatures_total',
        help: 'Client assertions signed by the vault (outcome success|failure, code of the failure)',
        labelNames: ['outcome', 'code'],
      });
    this.notAfter =
      (register.getSingleMetric('easgate_certificate_not_after_seconds') as
        Gauge<ExpiryLabels> | undefined) ??
      new Gauge({
        name: 'easgate_certificate_not_after_seconds',
        help: 'notAfter (Unix seconds) of each active, pending or retiring certificate, refreshed by the expiry scan',
        labelNames: ['tenant_id', 'connection_id', 'certificate_id', 'status'],
      });
  }

  signingKey(source: 'cache' | 'unwrap'): void {
    this.signingKeys.inc({ source });
  }

  signed(outcome: 'success' | 'failure', code = ''): void {
    this.signatures.inc({ outcome, code });
  }

  certificates(
    list: { tenantId: string; connectionId: string; id: string; status: string; notAfter: string }[],
  ): void {
    this.notAfter.reset();
    for (const c of list) {
      this.notAfter.set(
        { tenant_id: c.tenantId, connection_id: c.connectionId, certificate_id: c.id, status: c.status },
        Math.floor(Date.parse(c.notAfter) / 1000),
      );
    }
  }
}
