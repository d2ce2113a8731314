import { join } from 'node:path';
import { loadSealingKey, openBytes, sealBytes, SealingError } from '@easgate/auth';
import type { Logger } from '@easgate/messaging';
import { AlertingError, AlertingErrorCode } from '../domain/errors';

/** The file a key is generated into when none is configured (embedded single-machine mode). */
export const EMBEDDED_SECRETS_KEY_FILE = 'alerting-secrets.key';
const PREFIX = 'aes256gcm:';

const aad = (subscriptionId: string) => `easgate/alerting/webhook-secret/${subscriptionId}`;

/**
 * Webhook secrets at rest: AES-256-GCM under the alerting secrets key, bound to their subscription
 * (a sealed value copied into another row does not open). The plaintext exists only in memory, to
 * sign a delivery.
 */
export class SecretSealer {
  constructor(private readonly key: Buffer) {}

  /** ALERTING_SECRETS_KEY or ALERTING_SECRETS_KEY_FILE; with neither, a key generated once under the data directory. */
  static load(source: { value?: string; file?: string }, dataDir: string, logger: Logger): SecretSealer {
    const generateAt = join(dataDir, EMBEDDED_SECRETS_KEY_FILE);
    try {
      const { key, generated } = loadSealingKey({ name: 'ALERTING_SECRETS_KEY', ...source, generateAt });
      if (generated) {
        logger.warn(
          { path: generateAt },
          'no ALERTING_SECRETS_KEY configured: generated a key file for webhook secrets (keep it and back it up: without it webhook subscriptions must be re-created)',
        );
      }
      return new SecretSealer(key);
    } catch (err) {
      if (err instanceof SealingError) {
        throw new AlertingError(
          AlertingErrorCode.InvalidConfig,
          `invalid alerting configuration: ${err.message}`,
        );
      }
      throw err;
    }
  }

  static isSealed(stored: string | undefined): stored is string {
    return typeof stored === 'string' && stored.startsWith(PREFIX);
  }

  seal(subscriptionId: string, secret: string): string {
    return PREFIX + sealBytes(this.key, Buffer.from(secret, 'utf8'), aad(subscriptionId)).toString('base64');
  }

  open(subscriptionId: string, sealed: string | undefined): string {
    if (!SecretSealer.isSealed(sealed)) {
      throw new AlertingError(
        AlertingErrorCode.SecretUnreadable,
        `the webhook secret of subscription ${subscriptionId} is not stored sealed: re-create the subscription`,
      );
    }
    try {
      return openBytes(
        this.key,
        Buffer.from(sealed.slice(PREFIX.length), 'base64'),
        aad(subscriptionId),
      ).toString('utf8');
    } catch (err) {
      if (err instanceof SealingError) {
        throw new AlertingError(
          AlertingErrorCode.SecretUnreadable,
          `the webhook secret of subscription ${subscriptionId} cannot be decrypted (was ALERTING_SECRETS_KEY changed?): ${err.message}`,
        );
      }
      throw err;
    }
  }
}
