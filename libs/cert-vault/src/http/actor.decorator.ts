import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { actorOf } from '@easgate/identity';
import { identityOfRequest } from '@easgate/service-runtime';
import type { Request } from 'express';

/**
 * Who is calling, for the audit log: the authenticated identity (`user:alice`, `service:exchange-executor`,
 * `user:api-token` for the legacy token). Never a header the caller chooses.
 */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const identity = identityOfRequest(context.switchToHttp().getRequest<Request>());
  return identity ? actorOf(identity) : 'anonymous';
});
