import type { Logger } from '@easgate/messaging';

/**
 * A service's background work run every `intervalMs`, one run at a time (a tick while the last run is
 * still going is skipped), failures logged and retried on the next tick. The timer does not keep the
 * process alive; `stop()` waits for the run in flight, so call it before the database closes.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs now unless a run is in flight. */
  runOnce(): void {
    if (this.running) return;
    this.running = this.task()
      .catch((err: unknown) =>
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `${this.name} failed`),
      )
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
