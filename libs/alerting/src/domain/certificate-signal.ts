import type { CertificateLifecycleV1 } from '@easgate/contracts';

export type CertificateStep = 'validation-failed' | 'validated' | 'gone' | 'track' | 'ignore';

/** What a certificate lifecycle event means for the alerts of that certificate. */
export function certificateStepOf(event: CertificateLifecycleV1): CertificateStep {
  if (event.status === 'retired' || event.kind === 'retired') return 'gone';
  switch (event.kind) {
    case 'validation-failed':
      return 'validation-failed';
    case 'validated':
    case 'activated':
      return 'validated';
    case 'expiring':
    case 'expired':
    case 'rotated':
    case 'rotation-started':
    case 'created':
      // A pending (not yet used) certificate's expiry is nobody's emergency.
      return event.status === 'active' || event.status === 'retiring' ? 'track' : 'ignore';
  }
}

export function validationReasons(event: CertificateLifecycleV1): string[] {
  const reasons = (event.errors ?? []).map((e) => `${e.code}: ${e.message}`);
  if (reasons.length === 0 && event.reason) reasons.push(event.reason);
  return reasons;
}
