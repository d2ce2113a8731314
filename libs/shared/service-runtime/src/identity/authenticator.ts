import {
  type CallerDirectory,
  type Identity,
  looksLikeJwt,
  type ServiceTokenVerifier,
} from '@easgate/identity';

/** Turns a bearer credential into an identity: a service token (JWT) or a caller's API token. */
export class Authenticator {
  constructor(
    private readonly callers: CallerDirectory,
    private readonly services: ServiceTokenVerifier,
  ) {}

  authenticate(authorization: string | undefined): Identity | undefined {
    if (!authorization?.startsWith('Bearer ')) return undefined;
    const credential = authorization.slice(7).trim();
    if (credential === '') return undefined;
    return looksLikeJwt(credential)
      ? this.services.verify(credential)
      : this.callers.authenticate(credential);
  }
}
