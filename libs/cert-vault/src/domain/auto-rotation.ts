const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface AutoRotationInput {
  readonly notAfter: Date;
  readonly now: Date;
  /** Rotate once the active certificate has this many days left or fewer (0 = never). */
  readonly rotateBeforeDays: number;
  /** When the connection's last rotation started (any outcome). */
  readonly lastRotationStartedAt?: Date;
  /** After a rotation (e.g. a rolled-back one), wait this long before trying again. */
  readonly retryAfterHours: number;
}

/** Is an automatic rotation of the active certificate due now? */
export function autoRotationDue(input: AutoRotationInput): boolean {
  if (input.rotateBeforeDays <= 0) return false;
  if (input.notAfter.getTime() - input.now.getTime() > input.rotateBeforeDays * DAY_MS) return false;
  if (
    input.lastRotationStartedAt &&
    input.now.getTime() - input.lastRotationStartedAt.getTime() < input.retryAfterHours * HOUR_MS
  ) {
    return false;
  }
  return true;
}
