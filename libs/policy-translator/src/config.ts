import { z } from 'zod';
import { parseEnv } from '@easgate/service-runtime';
import { TranslatorError, TranslatorErrorCode } from './domain';

const TranslatorConfigSchema = z.object({
  TRANSLATOR_SWEEP_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  TRANSLATOR_REQUESTED_BY: z.string().min(1).default('policy-translator'),
  TRANSLATOR_EVENT_SOURCE: z.string().min(1).default('//easgate/policy-translator'),
});

export interface TranslatorConfig {
  /** How often devices no MDM reported are checked for auto-quarantine. */
  sweepIntervalMs: number;
  requestedBy: string;
  eventSource: string;
}

/** Parses the translator's configuration once; a bad one lists every bad key. */
export function translatorConfigFrom(env: NodeJS.ProcessEnv): TranslatorConfig {
  const c = parseEnv(
    TranslatorConfigSchema,
    env,
    (keys) =>
      new TranslatorError(
        TranslatorErrorCode.InvalidConfig,
        `invalid policy-translator configuration: ${keys.join(', ')}`,
      ),
  );
  return {
    sweepIntervalMs: c.TRANSLATOR_SWEEP_INTERVAL_MS,
    requestedBy: c.TRANSLATOR_REQUESTED_BY,
    eventSource: c.TRANSLATOR_EVENT_SOURCE,
  };
}
