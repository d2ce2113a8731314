import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

export const PUBLIC_ROUTE = 'easgate:public-route';
/** Marks a route that needs no API token (health, metrics, OpenAPI). */
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

/** Every HTTP API needs `Authorization: Bearer <API token>` (EASGATE_API_TOKEN / EASGATE_API_TOKEN_FILE). */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer;
  constructor(
    private readonly reflector: Reflector,
    token: string,
  ) {
    this.expected = Buffer.from(token, 'utf8');
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]))
      return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
    if (presented.length === this.expected.length && timingSafeEqual(presented, this.expected)) return true;
    throw new UnauthorizedException({
      code: 'UNAUTHENTICATED',
      message: 'missing or wrong API token (Authorization: Bearer …)',
    });
  }
}
