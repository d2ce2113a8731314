import { BaseRpcContext } from '@nestjs/microservices';
import type { DeliveryContext } from '../delivery';

/** What a handler may know about the message it handles (`@Ctx() ctx: EventContext`). */
export class EventContext extends BaseRpcContext<[DeliveryContext]> {
  constructor(readonly delivery: DeliveryContext) {
    super([delivery]);
  }

  get topic(): string {
    return this.delivery.message.topic;
  }

  get key(): string | null {
    return this.delivery.message.key;
  }

  get attempt(): number {
    return this.delivery.attempt;
  }

  get groupId(): string {
    return this.delivery.groupId;
  }
}
