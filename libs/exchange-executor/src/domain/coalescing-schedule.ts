/** How long a mailbox's pending changes wait to be coalesced into one Exchange call. */
export interface CoalescingOptions {
  /** A mailbox is worked once no command for it has been written for this long. */
  quietMs: number;
  /** …and at the latest this long after its first pending command was written (a steady trickle). */
  maxDelayMs: number;
}

/** A command read from an ordered stream (a topic partition). */
export interface Arrival {
  /** When its writer wrote it (the CloudEvent `time`), ms since the epoch. */
  writtenAt: number;
  /** The ordered stream it was read from, e.g. `easgate.exchange.command.v1/3`. */
  stream: string;
}

interface StreamClock {
  /** The newest writing time read from the stream so far. */
  writtenAt: number;
  /** When (wall clock) the stream was last read. */
  readAt: number;
  /** Commands taken from the stream and not yet recorded: the stream is being read, not idle. */
  inFlight: number;
}

interface Window {
  stream?: string;
  firstWrittenAt?: number;
  lastWrittenAt?: number;
  /** Work without a writing time (recovery, takeover, a retry) is due at this wall time. */
  wallDueAt?: number;
}

/**
 * When each mailbox's pending commands are worked, so that all of a mailbox's changes become one
 * Exchange call whatever order and pace they are read in.
 *
 * Both windows are measured on the commands' own clock (the time their writer wrote them), as far
 * as the executor has read their stream: a stream read in real time advances with the wall clock;
 * a backlog read slower (or faster) than it was written advances as it is read. So a burst written
 * at once is worked once per mailbox after it has been read, however long the reading takes and
 * however its mailboxes are interleaved, while a mailbox written to steadily is still worked
 * `maxDelayMs` after its first change. A stream not read for a while is caught up: its clock then
 * runs with the wall clock, so a quiet stream never holds a mailbox back.
 *
 * Writing times come from the writers' clocks; their skew only moves a mailbox earlier or later by
 * that skew (the stream's clock is made of the same writing times), never stops it from being worked.
 * A writing time later than its reading counts as its reading time: one writer's clock running
 * ahead would otherwise push its stream's clock ahead and end coalescing there until it caught up.
 */
export class CoalescingSchedule {
  private readonly streams = new Map<string, StreamClock>();
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: CoalescingOptions) {}

  /**
   * A command was taken from its stream at `now` (wall clock) and is being recorded: until it is
   * (`arrived`) or given up (`abandoned`), the stream's clock stands still, so a slow write of one
   * command never passes for a quiet stream.
   */
  reading(arrival: Arrival, now: number): void {
    const writtenAt = writingTime(arrival, now);
    const stream = this.streams.get(arrival.stream);
    this.streams.set(arrival.stream, {
      writtenAt: Math.max(stream?.writtenAt ?? writtenAt, writtenAt),
      readAt: now,
      inFlight: (stream?.inFlight ?? 0) + 1,
    });
  }

  /** The command taken at `reading` was not recorded (its write failed; it will be read again). */
  abandoned(arrival: Arrival, now: number): void {
    const stream = this.streams.get(arrival.stream);
    if (!stream) return;
    stream.inFlight = Math.max(0, stream.inFlight - 1);
    stream.readAt = now;
  }

  /** A command for `key` taken from its stream (see `reading`) is recorded as pending, at `now`. */
  arrived(key: string, arrival: Arrival, now: number): void {
    const writtenAt = writingTime(arrival, now);
    const stream = this.streams.get(arrival.stream);
    this.streams.set(arrival.stream, {
      writtenAt: Math.max(stream?.writtenAt ?? writtenAt, writtenAt),
      readAt: now,
      inFlight: Math.max(0, (stream?.inFlight ?? 1) - 1),
    });
    const window = this.windows.get(key) ?? {};
    window.stream = arrival.stream;
    window.firstWrittenAt = Math.min(window.firstWrittenAt ?? writtenAt, writtenAt);
    window.lastWrittenAt = Math.max(window.lastWrittenAt ?? writtenAt, writtenAt);
    this.windows.set(key, window);
  }

  /** Work for `key` with no writing time (recovery, a takeover, another pass): due `delayMs` from `now`. */
  nudge(key: string, now: number, delayMs: number): void {
    const window = this.windows.get(key) ?? {};
    window.wallDueAt = Math.min(window.wallDueAt ?? Infinity, now + delayMs);
    this.windows.set(key, window);
  }

  /**
   * The wall time `key` is due at if its stream's clock runs on from `now` (what is read meanwhile
   * moves it: ask again then); undefined when nothing waits for it. Due now or earlier: work it.
   */
  dueAt(key: string, now: number): number | undefined {
    const window = this.windows.get(key);
    if (!window) return undefined;
    let due = window.wallDueAt ?? Infinity;
    const stream = window.stream === undefined ? undefined : this.streams.get(window.stream);
    if (stream && window.firstWrittenAt !== undefined && window.lastWrittenAt !== undefined) {
      const maxDelay = Math.max(this.options.maxDelayMs, this.options.quietMs);
      const target = Math.min(window.lastWrittenAt + this.options.quietMs, window.firstWrittenAt + maxDelay);
      // How far the stream's writers' time has been read: it runs with the wall clock since the
      // stream's last read, unless a command is being recorded.
      const clock = stream.inFlight > 0 ? stream.writtenAt : stream.writtenAt + (now - stream.readAt);
      due = Math.min(due, now + (target - clock));
    }
    return due;
  }

  isDue(key: string, now: number): boolean {
    const due = this.dueAt(key, now);
    return due !== undefined && due <= now;
  }

  has(key: string): boolean {
    return this.windows.has(key);
  }

  /** A pass over `key` starts: what is read from now on opens its next window. */
  take(key: string): void {
    this.windows.delete(key);
  }
}

/** When a command was written, as far as the schedule trusts it: never after it was read, never unreadable. */
function writingTime(arrival: Arrival, now: number): number {
  return Number.isFinite(arrival.writtenAt) ? Math.min(arrival.writtenAt, now) : now;
}
