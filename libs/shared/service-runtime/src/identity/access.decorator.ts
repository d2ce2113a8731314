import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { AccessPolicy, Identity, Need, TenantScope } from '@easgate/identity';
import type { Request } from 'express';

export const ACCESS_POLICY = 'easgate:access-policy';
export const PUBLIC_ROUTE = 'easgate:public-route';
/** The OpenAPI extension each operation carries its policy in (read by the authorization matrix test). */
export const ACCESS_EXTENSION = 'x-easgate-access';

/** Marks a route that needs no credentials (health, metrics, OpenAPI). */
export const PublicRoute = () =>
  applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension(ACCESS_EXTENSION, { public: true }));

/**
 * The access policy of a route (or of every route of a controller): the least role it needs, how its
 * tenant is found, and the services admitted by name. A route without one is refused (fail closed).
 *   @Access('operator', byParam('tenant'))
 *   @Access('service', resolvedBy('connection', 'connectionId'), { services: ['exchange-executor'] })
 */
export function Access(need: Need, tenant: TenantScope, options: { services?: readonly string[] } = {}) {
  const policy: AccessPolicy = { need, tenant, ...(options.services && { services: options.services }) };
  return applyDecorators(
    SetMetadata(ACCESS_POLICY, policy),
    ApiExtension(ACCESS_EXTENSION, policy),
    ApiBearerAuth(),
  );
}

const IDENTITY = Symbol.for('easgate.identity');

export function identityOfRequest(request: Request): Identity | undefined {
  return (request as unknown as Record<symbol, Identity | undefined>)[IDENTITY];
}

export function attachIdentity(request: Request, identity: Identity): void {
  (request as unknown as Record<symbol, Identity>)[IDENTITY] = identity;
}

/** The authenticated caller of the request (set by the authorization guard). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Identity => {
  const identity = identityOfRequest(context.switchToHttp().getRequest<Request>());
  if (!identity) throw new Error('no authenticated caller: @Caller() on a public route');
  return identity;
});
