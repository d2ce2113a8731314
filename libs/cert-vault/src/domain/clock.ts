/** The vault's notion of now: injectable so expiry and overlap windows are testable. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
