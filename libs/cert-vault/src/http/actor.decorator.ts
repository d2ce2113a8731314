import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const ACTOR_HEADER = 'x-easgate-actor';

/**
 * Who is calling, for the audit log: the `X-Easgate-Actor` header (e.g. `exchange-executor`,
 * `console:alice@contoso.com`), else `api`. Every caller holds the same API token, so this names the
 * caller; it does not authenticate it.
 */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const raw = context.switchToHttp().getRequest<Request>().headers[ACTOR_HEADER];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value.replace(/[^\w@.:/+-]/g, '_').slice(0, 200) : 'api';
});
