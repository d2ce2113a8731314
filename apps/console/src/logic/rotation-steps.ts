/** A staged rotation as the vault reports it (`GET …/rotations`). */
export interface RotationView {
  id: string;
  state: 'started' | 'key-added' | 'completed' | 'rolled-back';
  uploadToEntra: boolean;
  graphKeyId?: string;
  overlapHours: number;
  reason?: string;
  startedAt: string;
  finishedAt?: string;
  fromCertificateId?: string;
  toCertificateId: string;
  certificate?: { id: string; thumbprintSha1: string; notAfter: string; subject: string; status: string };
}

export type StepState = 'done' | 'running' | 'waiting' | 'failed' | 'skipped';

export interface RotationStep {
  key: 'created' | 'entra' | 'verified' | 'activated';
  label: string;
  state: StepState;
  detail?: string;
}

/**
 * The progress of a staged rotation, step by step: new certificate (pending) → in the Entra app (Graph
 * addKey, or the admin uploads the .cer) → a real token request with the new key → activated, the old
 * one retiring. `inFlight` is true while the console waits for the vault's answer to start/complete.
 */
export function rotationSteps(rotation: RotationView | undefined, inFlight: boolean): RotationStep[] {
  const steps: RotationStep[] = [
    { key: 'created', label: 'New certificate created (pending)', state: 'waiting' },
    {
      key: 'entra',
      label:
        rotation?.uploadToEntra === false
          ? 'Registered in the Entra app by an administrator (upload the .cer)'
          : 'Key added to the Entra app (Microsoft Graph addKey)',
      state: 'waiting',
    },
    { key: 'verified', label: 'Token request with the new key', state: 'waiting' },
    {
      key: 'activated',
      label: 'Activated (the previous certificate retires after the overlap)',
      state: 'waiting',
    },
  ];
  const set = (key: RotationStep['key'], state: StepState, detail?: string) => {
    const step = steps.find((s) => s.key === key)!;
    step.state = state;
    if (detail !== undefined) step.detail = detail;
  };
  if (!rotation) {
    if (inFlight) set('created', 'running');
    return steps;
  }
  set('created', 'done', rotation.certificate?.thumbprintSha1);
  switch (rotation.state) {
    case 'started':
      if (rotation.uploadToEntra) set('entra', inFlight ? 'running' : 'waiting');
      else {
        set('entra', 'waiting', 'upload the .cer to the app, confirm the upload, then verify and activate');
        if (inFlight) set('verified', 'running');
      }
      break;
    case 'key-added':
      set('entra', 'done', rotation.graphKeyId && `key id ${rotation.graphKeyId}`);
      if (inFlight) set('verified', 'running');
      break;
    case 'completed':
      set('entra', rotation.uploadToEntra ? 'done' : 'skipped');
      set('verified', 'done');
      set('activated', 'done', `overlap ${rotation.overlapHours} h`);
      break;
    case 'rolled-back': {
      const graphFailed = rotation.uploadToEntra && rotation.graphKeyId === undefined;
      if (graphFailed) {
        set('entra', 'failed', rotation.reason);
        set('verified', 'skipped');
      } else {
        set('entra', rotation.uploadToEntra ? 'done' : 'skipped');
        set('verified', 'failed', rotation.reason);
      }
      set('activated', 'skipped', 'rolled back: the current certificate stays active');
      break;
    }
  }
  return steps;
}

export function isRotationOpen(rotation: RotationView | undefined): boolean {
  return rotation !== undefined && (rotation.state === 'started' || rotation.state === 'key-added');
}

/** The newest rotation of a list (the vault's order is not promised). */
export function latestRotation(rotations: readonly RotationView[]): RotationView | undefined {
  return [...rotations].sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
}

export const ROTATION_STATE_TEXT: Record<RotationView['state'], string> = {
  started: 'Started: waiting for the new key in Entra',
  'key-added': 'Key added: waiting for verification',
  completed: 'Completed',
  'rolled-back': 'Rolled back',
};
