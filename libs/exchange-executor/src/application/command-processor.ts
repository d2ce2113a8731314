import {
  createCloudEvent,
  type DeviceStateV1,
  deadLetterTopicOf,
  encodeStructured,
  ExchangeEventTypes,
  type ExchangeCommandV1,
  type ExchangeResultV1,
  isCodedError,
  mailboxKey,
  Topics,
} from '@easgate/contracts';
import { deadLetterOf, type Inbox, type Logger, type Outbox } from '@easgate/messaging';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database, Tx } from '@easgate/persistence';
import { type Arrival, CoalescingSchedule } from '../domain/coalescing-schedule';
import { deviceState } from '../domain/device-state';
import { ExecutorErrorCode } from '../domain/executor-error';
import { OUT_OF_SCOPE } from '../domain/mailbox-scope';
import {
  type CasMailboxUpdate,
  casMailboxParameters,
  type CommandDisposition,
  type MailboxLists,
  type PlanSegment,
  planMailbox,
  applyUpdate,
  isListAction,
} from '../domain/mailbox-plan';
import { type ExchangeClient, ExchangeError, ExchangeErrorCode } from '../infra/exchange-client';
import type { CommandLogRepository, PendingCommand } from '../infra/persistence/command-log.repository';
import type { MailboxLeases } from '../infra/persistence/mailbox-lease.repository';
import type { MailboxSnapshotRepository } from '../infra/persistence/mailbox-snapshot.repository';
import type { TenantClients } from '../infra/tenant-clients';
import type { CommandKindPolicy } from '../domain/command-kinds';
import type { ScopeGuard } from './scope-guard';
import { runSingleCommand, type WipeRecovery } from './single-commands';

export const EXECUTOR_SOURCE = 'easgate/exchange-executor';

export interface CommandProcessorOptions {
  /** A mailbox is worked once no command for it has been written for this long… */
  batchWindowMs: number;
  /** …and at the latest this long after its first pending command was written (default 1 s). */
  maxBatchDelayMs?: number;
  maxAttempts: number;
  retryBaseMs: number;
  parallelMailboxes: number;
  /** Commands of one mailbox taken per pass. */
  batchLimit?: number;
  /** Tenants limited to some mailboxes (none: every mailbox). */
  scope?: ScopeGuard;
  /** This instance's id in the mailbox leases (default: host name and a random suffix). */
  instanceId?: string;
  /** How long a mailbox lease lasts without renewal: how soon another instance takes over a dead one. */
  leaseMs?: number;
  /** What to do with a wipe found `sending` after a crash (see single-commands). */
  wipeRecovery?: WipeRecovery;
  /** Command kinds each tenant has enabled (none: every kind but full wipe). */
  kinds?: CommandKindPolicy;
  /** The longest wait between two tries while an outage (vault, token endpoint) lasts (default 10 s). */
  outageRetryMaxMs?: number;
  /**
   * A tenant's commands stopped for an outage of what they need (`reason`), or went on again
   * (undefined): the module reports it as a ServiceHealth `circuit` signal.
   */
  onOutage?: (tenant: string, reason: string | undefined) => void;
}

/** Outcome of one command inside a segment, before it is written. */
interface Outcome {
  outcome: ExchangeResultV1['outcome'];
  cmdlets: string[];
  attempts: number;
  detail?: string;
  error?: ExchangeResultV1['error'];
  device?: DeviceStateV1;
  wipe?: ExchangeResultV1['wipe'];
}

/**
 * Works the command log mailbox by mailbox: waits until a mailbox's commands have been quiet for a
 * short window (at most a maximum delay), on the commands' own clock as their stream is read (see
 * CoalescingSchedule), so that all of a mailbox's changes coalesce into one Set-CASMailbox whatever
 * the order and pace they arrive in; skips what the inventory says is already so, and
 * writes each command's result (and any dead letter) through the outbox in arrival order.
 * One mailbox is worked by one pass at a time, so its results stay in order.
 */
export class CommandProcessor {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly schedule: CoalescingSchedule;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private stopped = false;
  /** Mailboxes whose lease this instance holds, and until when (as last claimed or renewed). */
  private readonly held = new Map<string, number>();
  private ticker?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  readonly instanceId: string;
  private readonly leaseMs: number;
  /** Consecutive outage deferrals per mailbox (the back-off grows with them). */
  private readonly outages = new Map<string, number>();
  /** Tenants whose commands wait for an outage to end (reported once, and once when it ends). */
  private readonly tenantsInOutage = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly log: CommandLogRepository,
    private readonly leases: MailboxLeases,
    private readonly snapshots: MailboxSnapshotRepository,
    private readonly clients: TenantClients,
    private readonly outbox: Outbox,
    /** The service's inbox: a dead-lettered command's delivery is forgotten, so that its replay runs. */
    private readonly inbox: Pick<Inbox, 'forget'>,
    private readonly logger: Logger,
    private readonly options: CommandProcessorOptions,
  ) {
    this.instanceId = options.instanceId ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.schedule = new CoalescingSchedule({
      quietMs: options.batchWindowMs,
      maxDelayMs: options.maxBatchDelayMs ?? 1000,
    });
  }

  /**
   * Picks up the pending commands this instance may work (unleased, or leased by an instance that
   * stopped renewing), then keeps its leases alive and takes over expired ones, every third of a lease.
   */
  async start(): Promise<void> {
    this.stopped = false;
    await this.takeOver(0);
    // Alone on its database (SQLite): nothing to renew or take over.
    if (!this.leases.shared) return;
    this.ticker = setInterval(
      () => {
        this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    this.ticker.unref();
  }

  /** Stops taking work, lets running passes finish, and gives the leases back so another instance goes on at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.ticking;
    await Promise.allSettled([...this.running.values()]);
    const held = [...this.held.keys()];
    this.held.clear();
    await this.leases.release(this.instanceId, held).catch((err: unknown) => {
      this.logger.warn({ err: describe(err) }, 'mailbox leases not released: they expire by themselves');
    });
  }

  private async tick(): Promise<void> {
    try {
      const before = new Map(this.held);
      const until = Date.now() + this.leaseMs;
      const lost = await this.leases.renew(this.instanceId, [...before.keys()], this.leaseMs);
      const lostSet = new Set(lost);
      for (const [key, was] of before)
        if (!lostSet.has(key) && this.held.get(key) === was) this.held.set(key, until);
      for (const key of lost) {
        // Given back (nothing pending) or claimed afresh while renewing: not lost.
        if (this.held.get(key) !== before.get(key)) continue;
        this.held.delete(key);
        this.logger.warn(
          { mailboxKey: key, instanceId: this.instanceId },
          'mailbox lease lost to another instance',
        );
      }
      // Within the batching window, like a command just received: a takeover never defeats coalescing.
      await this.takeOver(this.options.batchWindowMs);
    } catch (err) {
      this.logger.warn({ err: describe(err) }, 'mailbox lease renewal failed: will retry');
    }
  }

  /** Wakes every mailbox with pending commands that no live instance holds. */
  private async takeOver(delayMs: number): Promise<void> {
    if (this.stopped) return;
    for (const key of await this.leases.claimablePendingKeys(this.instanceId)) {
      if (!this.running.has(key) && !this.timers.has(key)) this.wake(key, delayMs);
    }
  }

  /**
   * Records commands read from their stream (`record`: in the command log, in one transaction) and
   * schedules their mailboxes: each worked once its commands have been quiet for the window (or
   * the maximum delay has passed). While the records are written their stream counts as being
   * read, not as quiet. One read while a pass runs opens the mailbox's next window.
   */
  async intake(
    commands: readonly { key: string; arrival: Arrival }[],
    record: () => Promise<unknown>,
  ): Promise<void> {
    for (const { arrival } of commands) this.schedule.reading(arrival, Date.now());
    try {
      await record();
    } catch (err) {
      for (const { arrival } of commands) this.schedule.abandoned(arrival, Date.now());
      throw err;
    }
    for (const { key, arrival } of commands) this.schedule.arrived(key, arrival, Date.now());
    if (this.stopped) return;
    for (const key of new Set(commands.map((c) => c.key))) if (!this.running.has(key)) this.arm(key);
  }

  /** Work for this mailbox that no stream announced (recovery, a takeover, another pass): after `delayMs`. */
  wake(key: string, delayMs = this.options.batchWindowMs): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.timers.has(key)) return;
    this.schedule.nudge(key, Date.now(), delayMs);
    this.arm(key);
  }

  /** Sets the mailbox's timer to when the schedule says it is due. */
  private arm(key: string): void {
    const due = this.schedule.dueAt(key, Date.now());
    if (due === undefined) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => this.fire(key), Math.max(0, due - Date.now())),
    );
  }

  private fire(key: string): void {
    this.timers.delete(key);
    if (this.stopped || this.running.has(key)) return;
    // More of its stream was read meanwhile: the window may have moved on.
    if (!this.schedule.isDue(key, Date.now())) {
      this.arm(key);
      return;
    }
    this.launch(key);
  }

  private launch(key: string): void {
    // What is read from now on opens the mailbox's next window (this pass may still see some of it).
    this.schedule.take(key);
    const pass = this.withSlot(() => this.flush(key))
      .catch((err: unknown) => {
        this.logger.error({ mailboxKey: key, err: describe(err) }, 'command pass failed: will retry');
        this.again.add(key);
      })
      .finally(() => {
        this.running.delete(key);
        if (this.again.delete(key)) this.wake(key, this.options.batchWindowMs);
        else if (this.schedule.has(key)) this.arm(key);
      });
    this.running.set(key, pass);
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.options.parallelMailboxes) await new Promise<void>((r) => this.queue.push(r));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }

  private async flush(key: string): Promise<void> {
    if (this.stopped) return;
    // Only the lease holder works a mailbox: two instances never interleave its commands. A mailbox
    // held by a live instance is left to it; once that lease expires, the takeover tick wakes it here.
    // A lease claimed or renewed less than half a lease ago is still this instance's: no round trip.
    if ((this.held.get(key) ?? 0) - Date.now() < this.leaseMs / 2) {
      const until = Date.now() + this.leaseMs;
      if (!(await this.leases.claim(key, this.instanceId, this.leaseMs))) {
        this.held.delete(key);
        return;
      }
      this.held.set(key, until);
    }
    const limit = this.options.batchLimit ?? 500;
    const pending = await this.log.pendingFor(key, limit);
    const first = pending[0];
    if (!first) {
      await this.giveBack(key);
      return;
    }
    const waitMs = first.nextAttemptAt ? Date.parse(first.nextAttemptAt) - Date.now() : 0;
    if (waitMs > 0) {
      this.timers.set(
        key,
        setTimeout(() => {
          this.timers.delete(key);
          this.launch(key);
        }, waitMs),
      );
      return;
    }
    const { tenant, mailbox } = first.command;
    let client: ExchangeClient;
    try {
      client = await this.clients.clientFor(tenant);
    } catch (err) {
      await this.failOrDefer(key, pending, err, tenant);
      return;
    }
    try {
      const scope = this.options.scope;
      if (scope?.active) {
        // A scope may be keyed by the tenant id or its domain, whichever the command does not use.
        const connection = await this.clients.describe(tenant);
        const aliases = [connection.tenantId, connection.organization].filter((a): a is string => !!a);
        await scope.ensureInScope(client, tenant, mailbox, aliases);
      }
    } catch (err) {
      if (isCodedError(err) && err.code === OUT_OF_SCOPE) {
        // Refused and audited (the log line, the command log row and the result), never sent, not a crash.
        this.logger.warn(
          { audit: 'scope-refused', tenant, mailbox, commandIds: pending.map((p) => p.command.commandId) },
          'exchange commands refused: mailbox outside the tenant scope',
        );
        await this.db.transaction((tx) =>
          this.complete(
            tx,
            pending.map((p) => ({ pending: p, outcome: failure(err) })),
          ),
        );
      } else await this.failOrDefer(key, pending, err, tenant);
      return;
    }
    const bySeq = new Map(pending.map((p) => [p.command.commandId, p]));
    const snapshot = mailbox ? await this.snapshots.find(tenant, mailbox) : undefined;
    let lists: MailboxLists | undefined = snapshot;
    // A list change an earlier pass sent without living to record it (killed, or an answer lost):
    // Exchange may be ahead of the snapshot, so nothing is skipped on its word this time; the full
    // intent is sent (Add/Remove are idempotent set operations).
    const uncertain = pending.some((p) => p.intent === 'sending' && isListAction(p.command.action));
    const segments: PlanSegment[] = mailbox
      ? planMailbox(
          pending.map((p) => p.command),
          uncertain ? undefined : lists,
        )
      : pending.map((p) => ({ kind: 'single', command: p.command }));
    // One device read per flush, after the last list change: the state every result then reports.
    const lastChange = segments.findLastIndex((s) => s.kind === 'cas' && s.update !== undefined);
    const inventoried = new Map((snapshot?.devices ?? []).map((d) => [d.deviceId.toLowerCase(), d]));
    for (let i = 0; i < segments.length; i++) {
      // The lease was lost (this instance stalled past it): the new holder goes on from the log.
      if (!this.held.has(key) || this.stopped) return;
      const segment = segments[i];
      const commands = segment.kind === 'cas' ? segment.commands : [segment.command];
      let outcomes: Map<string, Outcome>;
      try {
        outcomes =
          segment.kind === 'cas'
            ? await this.runCas(
                client,
                mailbox!,
                segment.update,
                segment.dispositions,
                commands.map((c) => bySeq.get(c.commandId)!.seq),
              )
            : new Map([
                [
                  segment.command.commandId,
                  await this.runSingle(client, bySeq.get(segment.command.commandId)!),
                ],
              ]);
      } catch (err) {
        if (isRetriable(err)) {
          const rest = segments.slice(i).flatMap((s) => (s.kind === 'cas' ? s.commands : [s.command]));
          await this.failOrDefer(
            key,
            rest.map((c) => bySeq.get(c.commandId)!),
            err,
            tenant,
          );
          return;
        }
        outcomes = new Map(
          commands.map((c) => {
            const d = segment.kind === 'cas' ? segment.dispositions.get(c.commandId) : undefined;
            if (d?.kind === 'skipped')
              return [c.commandId, { outcome: 'skipped', cmdlets: [], attempts: 0, detail: d.detail }];
            return [c.commandId, failure(err)];
          }),
        );
      }
      let after: Map<string, DeviceStateV1> | undefined;
      if (segment.kind === 'cas') {
        after =
          i === lastChange && appliedToADevice(commands, outcomes)
            ? await this.devicesAfter(client, mailbox!)
            : undefined;
        attachDevices(commands, outcomes, after, inventoried);
      }
      const newLists =
        segment.kind === 'cas' && segment.update && lists && outcomesApplied(outcomes)
          ? applyUpdate(lists, segment.update)
          : undefined;
      await this.db.transaction(async (tx) => {
        await this.complete(
          tx,
          commands.map((c) => ({ pending: bySeq.get(c.commandId)!, outcome: outcomes.get(c.commandId)! })),
        );
        if (newLists && mailbox)
          await this.snapshots.updateLists(tx, tenant, mailbox, newLists, after && [...after.values()]);
      });
      if (newLists) lists = newLists;
      this.outageOver(key, tenant);
    }
    if (pending.length === limit) this.again.add(key);
    else await this.giveBack(key);
  }

  /**
   * Nothing pending: the mailbox is free for whichever instance receives its next command. A command
   * that arrived meanwhile keeps the lease here and the mailbox is worked again.
   */
  private async giveBack(key: string): Promise<void> {
    if (await this.leases.releaseIfIdle(key, this.instanceId)) this.held.delete(key);
    else this.again.add(key);
  }

  private runSingle(client: ExchangeClient, pending: PendingCommand): Promise<Outcome> {
    return runSingleCommand(
      client,
      pending.command,
      {
        intentAt:
          pending.intent === 'sending' ? (pending.intentAt ?? pending.command.requestedAt) : undefined,
        recovery: this.options.wipeRecovery ?? 'check',
        recordIntent: () => this.log.recordIntent(pending.seq, 'sending'),
      },
      this.options.kinds,
    );
  }

  private async runCas(
    client: ExchangeClient,
    mailbox: string,
    update: CasMailboxUpdate | undefined,
    dispositions: Map<string, CommandDisposition>,
    seqs: readonly number[],
  ): Promise<Map<string, Outcome>> {
    let attempts = 0;
    if (update) {
      // Committed before the call: a pass that dies before writing the outcome leaves the mark.
      await this.log.recordIntents(seqs, 'sending');
      attempts = (await client.invoke('Set-CASMailbox', casMailboxParameters(mailbox, update))).attempts;
    }
    const outcomes = new Map<string, Outcome>();
    for (const [commandId, d] of dispositions) {
      switch (d.kind) {
        case 'coalesced':
        case 'single':
          outcomes.set(commandId, { outcome: 'applied', cmdlets: ['Set-CASMailbox'], attempts });
          break;
        case 'skipped':
          outcomes.set(commandId, { outcome: 'skipped', cmdlets: [], attempts: 0, detail: d.detail });
          break;
        case 'superseded':
          outcomes.set(commandId, {
            outcome: 'skipped',
            cmdlets: [],
            attempts: 0,
            detail: `superseded by command ${d.by} for the same device`,
          });
          break;
      }
    }
    return outcomes;
  }

  /**
   * The mailbox's devices as Exchange reports them now. Best effort: the change is already made, so
   * a failed read only leaves `device` out of the results.
   */
  private async devicesAfter(
    client: ExchangeClient,
    mailbox: string,
  ): Promise<Map<string, DeviceStateV1> | undefined> {
    try {
      const { values } = await client.invoke('Get-MobileDevice', {
        Mailbox: mailbox,
        ResultSize: 'Unlimited',
      });
      const states = values.map(deviceState).filter((d): d is DeviceStateV1 => d !== undefined);
      return new Map(states.map((d) => [d.deviceId.toLowerCase(), d]));
    } catch (err) {
      this.logger.warn({ mailbox, err: describe(err) }, 'device state after the change not read');
      return undefined;
    }
  }

  /** Retriable failure: try the rest again later, or give up after maxAttempts. */
  private async failOrDefer(
    key: string,
    rest: readonly PendingCommand[],
    err: unknown,
    tenant: string,
  ): Promise<void> {
    if (isOutage(err)) {
      await this.deferForOutage(key, rest, err, tenant);
      return;
    }
    const previous = Math.max(...rest.map((p) => p.attempts));
    // An open circuit refused the call before Exchange saw it: wait for it, without spending an attempt.
    const circuitOpen = err instanceof ExchangeError && err.code === ExchangeErrorCode.CircuitOpen;
    const attempts = circuitOpen ? previous : previous + 1;
    if (isRetriable(err) && attempts < this.options.maxAttempts) {
      const delay = circuitOpen
        ? Math.max(50, (err.details.retryAfterSeconds ?? 1) * 1000)
        : Math.min(300_000, this.options.retryBaseMs * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4);
      this.logger.warn(
        { mailboxKey: key, attempts, retryInMs: Math.round(delay), err: describe(err) },
        'Exchange commands deferred',
      );
      await this.log.deferRetry(
        rest.map((p) => p.seq),
        attempts,
        new Date(Date.now() + delay),
      );
      this.again.add(key);
      return;
    }
    await this.db.transaction((tx) =>
      this.complete(
        tx,
        rest.map((pending) => ({ pending, outcome: failure(err) })),
      ),
    );
  }

  /**
   * What the commands need is out (the vault, the token endpoint): nothing is wrong with them, so they
   * stay pending with their attempts untouched, and are tried again after a back-off that grows up to
   * `outageRetryMaxMs`, for as long as the outage lasts.
   */
  private async deferForOutage(
    key: string,
    rest: readonly PendingCommand[],
    err: unknown,
    tenant: string,
  ): Promise<void> {
    const count = (this.outages.get(key) ?? 0) + 1;
    this.outages.set(key, count);
    const max = this.options.outageRetryMaxMs ?? 10_000;
    const delay =
      Math.min(max, this.options.retryBaseMs * 2 ** Math.min(count - 1, 20)) * (0.8 + Math.random() * 0.4);
    this.logger.warn(
      { mailboxKey: key, outageRetries: count, retryInMs: Math.round(delay), err: describe(err) },
      'Exchange commands waiting for an outage to end (attempts not spent)',
    );
    if (!this.tenantsInOutage.has(tenant)) {
      this.tenantsInOutage.add(tenant);
      this.options.onOutage?.(tenant, `commands deferred, attempts kept: ${describe(err)}`.slice(0, 2000));
    }
    await this.log.deferRetry(
      rest.map((p) => p.seq),
      undefined,
      new Date(Date.now() + delay),
    );
    this.again.add(key);
  }

  /** A segment went through: whatever outage held this mailbox (and its tenant) is over. */
  private outageOver(key: string, tenant: string): void {
    this.outages.delete(key);
    if (this.tenantsInOutage.delete(tenant)) this.options.onOutage?.(tenant, undefined);
  }

  /**
   * Writes results (and dead letters for failures) in arrival order, in the caller's transaction:
   * one statement marks the commands done, one enqueues their results, whatever their count.
   */
  private async complete(tx: Tx, done: { pending: PendingCommand; outcome: Outcome }[]): Promise<void> {
    const completedAt = new Date().toISOString();
    const results = done
      .sort((a, b) => a.pending.seq - b.pending.seq)
      .map(({ pending, outcome }) => {
        const command = pending.command;
        const result: ExchangeResultV1 = {
          commandId: command.commandId,
          tenant: command.tenant,
          ...(command.mailbox !== undefined && { mailbox: command.mailbox }),
          action: command.action,
          outcome: outcome.outcome,
          ...(outcome.device && { device: outcome.device }),
          ...(outcome.error && { error: outcome.error }),
          ...(outcome.detail !== undefined && { detail: outcome.detail }),
          ...(outcome.wipe && { wipe: outcome.wipe }),
          cmdlets: outcome.cmdlets,
          attempts: outcome.attempts,
          completedAt,
        };
        return { pending, outcome, result };
      });
    const marked = await this.log.completeMany(
      tx,
      results.map(({ pending, outcome, result }) => ({ seq: pending.seq, status: outcome.outcome, result })),
    );
    // Another pass (another replica recovering at start) may have completed some: published once.
    const completed = results.filter(({ pending }) => marked.has(pending.seq));
    await this.outbox.enqueueMany(
      tx,
      completed.map(({ pending, result }) => ({
        topic: Topics.ExchangeResult,
        key: mailboxKey(pending.command.tenant, pending.command.mailbox),
        event: createCloudEvent({
          source: EXECUTOR_SOURCE,
          type: ExchangeEventTypes.Result,
          subject: pending.command.commandId,
          tenant: pending.command.tenant,
          data: result,
        }),
      })),
    );
    for (const { pending, outcome } of completed) {
      const command = pending.command;
      if (outcome.outcome === 'failed' && outcome.error && outcome.error.code !== OUT_OF_SCOPE)
        await this.deadLetter(tx, pending, mailboxKey(command.tenant, command.mailbox), outcome.error);
      this.logger.debug(
        {
          commandId: command.commandId,
          tenant: command.tenant,
          action: command.action.kind,
          outcome: outcome.outcome,
          code: outcome.error?.code,
        },
        'exchange command completed',
      );
    }
    if (completed.length > 0)
      this.logger.info(
        {
          mailboxKey: mailboxKey(completed[0].pending.command.tenant, completed[0].pending.command.mailbox),
          completed: completed.length,
          outcomes: countBy(completed.map(({ outcome }) => outcome.outcome)),
        },
        'exchange commands completed',
      );
  }

  /** What cannot succeed goes to `<command topic>.dlq` with its reason, like the delivery pipeline does. */
  private async deadLetter(
    tx: Tx,
    pending: PendingCommand,
    key: string,
    error: NonNullable<Outcome['error']>,
  ): Promise<void> {
    const original = createCloudEvent({
      id: pending.origin.id,
      source: pending.origin.source,
      type: pending.origin.type,
      time: pending.origin.time,
      ...(pending.origin.subject !== undefined && { subject: pending.origin.subject }),
      tenant: pending.command.tenant,
      data: pending.command,
    });
    // Forget the delivery, so that replaying this dead letter is not taken for a duplicate.
    await this.inbox.forget(tx, pending.origin);
    await this.outbox.enqueueRecord(
      tx,
      deadLetterTopicOf(Topics.ExchangeCommand),
      deadLetterOf(
        encodeStructured(original, key),
        { topic: Topics.ExchangeCommand, groupId: 'easgate-exchange-executor' },
        { ...error, attempts: pending.attempts + 1 },
      ),
    );
  }
}

/**
 * Device commands report their device: as Exchange returned it after the flush's last list change
 * (when this segment is that change), else, for a command skipped as already so, as the inventory
 * last saw it. An earlier segment's applied command reports none rather than a stale state.
 */
function attachDevices(
  commands: readonly ExchangeCommandV1[],
  outcomes: Map<string, Outcome>,
  after: Map<string, DeviceStateV1> | undefined,
  inventoried: Map<string, DeviceStateV1>,
): void {
  for (const command of commands) {
    const outcome = outcomes.get(command.commandId);
    const action = command.action;
    if (!outcome || outcome.outcome === 'failed' || !('deviceId' in action)) continue;
    const id = action.deviceId.toLowerCase();
    const device = after?.get(id) ?? (outcome.outcome === 'skipped' ? inventoried.get(id) : undefined);
    if (device) outcome.device = device;
  }
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function appliedToADevice(commands: readonly ExchangeCommandV1[], outcomes: Map<string, Outcome>): boolean {
  return commands.some((c) => 'deviceId' in c.action && outcomes.get(c.commandId)?.outcome === 'applied');
}

function outcomesApplied(outcomes: Map<string, Outcome>): boolean {
  return [...outcomes.values()].some((o) => o.outcome === 'applied');
}

/**
 * An outage of what every command needs, that says nothing about the command itself: the certificate
 * vault unreachable (connection lookup or signing), the token endpoint throttling, failing (5xx) or
 * unreachable. Waited out without spending the commands' attempts.
 */
export function isOutage(err: unknown): boolean {
  if (err instanceof ExchangeError) {
    if (OUTAGE_CODES.has(err.code)) return true;
    return TOKEN_STAGE_CODES.has(err.code) && err.details.stage === 'token';
  }
  return isCodedError(err) && VAULT_OUTAGE_CODES.has(err.code) && err.retriable;
}

const OUTAGE_CODES = new Set<ExchangeErrorCode>([
  ExchangeErrorCode.AssertionUnavailable,
  ExchangeErrorCode.TokenThrottled,
]);
const TOKEN_STAGE_CODES = new Set<ExchangeErrorCode>([ExchangeErrorCode.Network, ExchangeErrorCode.Timeout]);
const VAULT_OUTAGE_CODES = new Set<string>([ExecutorErrorCode.VaultUnavailable]);

function isRetriable(err: unknown): boolean {
  // Unknown failures (a bug, a dropped database connection) may pass later.
  return isCodedError(err) ? err.retriable : true;
}

function failure(err: unknown): Outcome {
  const coded = isCodedError(err)
    ? { code: err.code, message: err.message, retriable: err.retriable }
    : { code: ExecutorErrorCode.Unexpected, message: describe(err), retriable: true };
  return { outcome: 'failed', cmdlets: [], attempts: 0, error: coded };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
