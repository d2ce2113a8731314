import { VaultError, VaultErrorCode } from './vault-error';

/**
 * A staged rotation:
 *   started ──key-added──▶ key-added ──verified──▶ completed
 *      │                       │
 *      └──────verification-failed──────▶ rolled-back
 * `started` without Graph means the admin uploads the .cer to Entra and confirms it before completing.
 */
export type RotationState = 'started' | 'key-added' | 'completed' | 'rolled-back';

export type RotationEvent =
  | { type: 'key-added'; graphKeyId: string }
  | { type: 'verified' }
  | { type: 'verification-failed'; reason: string };

export interface Rotation {
  readonly id: string;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly fromCertificateId?: string;
  readonly toCertificateId: string;
  readonly state: RotationState;
  readonly uploadToEntra: boolean;
  readonly graphKeyId?: string;
  readonly overlapHours: number;
  readonly reason?: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
}

/**
 * Whether the rotation waits for an administrator to say the new certificate is in the Entra app: a
 * rotation without Graph addKey, not finished. Verifying before the upload only fails and rolls back.
 */
export function awaitsUploadConfirmation(rotation: Rotation): boolean {
  return !rotation.uploadToEntra && rotation.state === 'started';
}

/** What undoing a failed rotation takes. */
export type Compensation = 'remove-graph-key' | 'fail-pending-certificate';

export function isFinished(state: RotationState): boolean {
  return state === 'completed' || state === 'rolled-back';
}

export function applyRotationEvent(rotation: Rotation, event: RotationEvent, at: string): Rotation {
  const refuse = (): never => {
    throw new VaultError(
      VaultErrorCode.InvalidRotationState,
      `rotation ${rotation.id} is ${rotation.state}: "${event.type}" is not possible now`,
    );
  };
  switch (event.type) {
    case 'key-added':
      if (rotation.state !== 'started') return refuse();
      return { ...rotation, state: 'key-added', graphKeyId: event.graphKeyId };
    case 'verified':
      if (rotation.state !== 'started' && rotation.state !== 'key-added') return refuse();
      if (rotation.uploadToEntra && rotation.state !== 'key-added') return refuse();
      return { ...rotation, state: 'completed', finishedAt: at };
    case 'verification-failed':
      if (isFinished(rotation.state)) return refuse();
      return { ...rotation, state: 'rolled-back', reason: event.reason, finishedAt: at };
  }
}

/** The compensations of a rollback from the given (pre-rollback) rotation. */
export function compensationsFor(rotation: Rotation): Compensation[] {
  return rotation.graphKeyId !== undefined
    ? ['remove-graph-key', 'fail-pending-certificate']
    : ['fail-pending-certificate'];
}

/** When the replaced certificate is retired: after the overlap window. */
export function retireAtAfterOverlap(activatedAt: Date, overlapHours: number): Date {
  return new Date(activatedAt.getTime() + overlapHours * 3_600_000);
}
