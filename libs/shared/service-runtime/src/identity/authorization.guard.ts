import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { type AccessPolicy, type Identity, mayActFor, permitsRole, permitsTenant } from '@easgate/identity';
import type { Request } from 'express';
import { ACCESS_POLICY, attachIdentity, PUBLIC_ROUTE } from './access.decorator';
import type { Authenticator } from './authenticator';
import { type TenantResolver, tenantResolverToken } from './tenant-resolver';

export enum AuthorizationCode {
  Unauthenticated = 'UNAUTHENTICATED',
  RoleNotAllowed = 'FORBIDDEN_ROLE',
  TenantNotAllowed = 'FORBIDDEN_TENANT',
  NoPolicy = 'ROUTE_WITHOUT_ACCESS_POLICY',
}

/**
 * Every HTTP route: authenticate the bearer credential (401), then apply the route's `@Access` policy:
 * the role (403 FORBIDDEN_ROLE), then the tenant (403 FORBIDDEN_TENANT). A route without a policy
 * is refused, so that a new route cannot be open by omission.
 */
@Injectable()
export class AuthorizationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const identity = this.authenticator.authenticate(request.headers.authorization);
    if (!identity)
      throw new UnauthorizedException({
        code: AuthorizationCode.Unauthenticated,
        message: 'missing, unknown, revoked or expired credential (Authorization: Bearer …)',
      });
    attachIdentity(request, identity);
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, targets);
    if (!policy)
      throw new ForbiddenException({
        code: AuthorizationCode.NoPolicy,
        message: 'this route declares no access policy and is refused',
      });
    if (!permitsRole(policy, identity))
      throw new ForbiddenException({
        code: AuthorizationCode.RoleNotAllowed,
        message: `this route needs the ${policy.need} role`,
      });
    const tenant = await this.tenantOf(policy, request);
    if (!permitsTenant(policy.tenant, identity, tenant))
      throw new ForbiddenException({
        code: AuthorizationCode.TenantNotAllowed,
        message: 'the caller may not act for this tenant',
      });
    return true;
  }

  private async tenantOf(policy: AccessPolicy, request: Request): Promise<string | undefined> {
    const scope = policy.tenant;
    if (scope.kind !== 'param' && scope.kind !== 'resolved') return undefined;
    const value = (request.params as Record<string, string | undefined>)[scope.param];
    if (value === undefined) return undefined;
    if (scope.kind === 'param') return value;
    const resolver = this.moduleRef.get<TenantResolver>(tenantResolverToken(scope.resolver), {
      strict: false,
    });
    return resolver.tenantOf(value);
  }
}

/** For `checkedInHandler` routes: refuses (403 FORBIDDEN_TENANT) a tenant the caller holds no grant for. */
export function assertMayActFor(identity: Identity, tenant: string): void {
  if (!mayActFor(identity, tenant))
    throw new ForbiddenException({
      code: AuthorizationCode.TenantNotAllowed,
      message: `the caller may not act for tenant ${tenant.slice(0, 100)}`,
    });
}
