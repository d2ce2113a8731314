import { allTopics, DEAD_LETTER_SUFFIX, decodeCloudEvent, isDeadLetterTopic } from '@easgate/contracts';
import {
  type ConsumerHandle,
  DeadLetterHeaders,
  type IncomingMessage,
  type Inbox,
  type Logger,
  type MessageBus,
} from '@easgate/messaging';
import { ANY_TENANT } from '../domain/alert';
import type { SignalIntake } from './signal-intake';

/**
 * Watches every `.dlq` topic of the catalogue. Dead letters need not be valid CloudEvents (that
 * may be why they are dead), so they are read raw, not through the event transport.
 */
export class DeadLetterWatcher {
  private consumer?: ConsumerHandle;

  constructor(
    private readonly bus: MessageBus,
    private readonly inbox: Inbox,
    private readonly intake: SignalIntake,
    private readonly logger: Logger,
    private readonly options: { consumerGroup: string; fromBeginning: boolean },
  ) {}

  static topics(): string[] {
    return allTopics().filter(isDeadLetterTopic);
  }

  async start(): Promise<void> {
    this.consumer = await this.bus.consume(
      {
        groupId: this.options.consumerGroup,
        topics: DeadLetterWatcher.topics(),
        fromBeginning: this.options.fromBeginning,
      },
      this.handle,
    );
  }

  readonly handle = async (message: IncomingMessage): Promise<void> => {
    const original =
      message.headers[DeadLetterHeaders.OriginalTopic] ?? message.topic.slice(0, -DEAD_LETTER_SUFFIX.length);
    const decoded = decodeCloudEvent(message);
    const tenant = (decoded.ok ? decoded.event.tenant : message.headers['ce_tenant']) ?? ANY_TENANT;
    const code = message.headers[DeadLetterHeaders.ErrorCode];
    const outcome = await this.inbox.once(
      { source: `kafka:${message.topic}/${message.partition}`, id: message.offset },
      (tx) => this.intake.deadLetters(original, tenant, 1, code, tx),
    );
    this.logger.info(
      { topic: message.topic, offset: message.offset, tenant, code, outcome: outcome.status },
      'dead letter seen',
    );
  };

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }
}
