import fc from 'fast-check';
import { CertificateLifecycleV1 } from './events/certificate';
import {
  ExchangeCommandV1,
  ExchangeConfigDriftV1,
  ExchangeInventoryV1,
  ExchangeResultV1,
} from './events/exchange';
import { MdmComplianceV1 } from './events/mdm';
import { OpsAlertV1, ServiceHealthV1 } from './events/ops';
import { decodeCloudEvent, parseEventData } from './kafka-binding';

const schemas = {
  CertificateLifecycleV1,
  ExchangeCommandV1,
  ExchangeConfigDriftV1,
  ExchangeInventoryV1,
  ExchangeResultV1,
  MdmComplianceV1,
  OpsAlertV1,
  ServiceHealthV1,
};

/** Values built to hurt: huge strings, deep nesting, prototype keys, odd numbers. */
const hostile = fc.oneof(
  fc.anything({ maxDepth: 4, withObjectString: true, withNullPrototype: true, withBigInt: true }),
  fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'tenant', 'userPrincipalName', 'kind', 'data', 'signal'),
    fc.oneof(
      fc.string({ maxLength: 40_000 }),
      fc.double(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 50 }),
    ),
  ),
  fc.string({ maxLength: 50_000 }).map((s) => ({ userPrincipalName: `a@${s}`, tenant: s })),
);

describe('contract schemas under hostile input', () => {
  it.each(Object.entries(schemas))('%s answers every value with a result, never a throw', (_name, schema) => {
    fc.assert(
      fc.property(hostile, (value) => {
        const parsed = schema.safeParse(value);
        return parsed.success || parsed.error.issues.length > 0;
      }),
      { numRuns: 300 },
    );
  });

  it('decodes any Kafka record into an event or a coded error', () => {
    const record = fc.record({
      key: fc.option(fc.string(), { nil: null }),
      value: fc.option(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
          fc.json().map((j) => Buffer.from(j)),
        ),
        { nil: null },
      ),
      headers: fc.dictionary(
        fc.constantFrom('content-type', 'ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_tenant', 'x'),
        fc.oneof(fc.constant('application/cloudevents+json'), fc.constant('application/json'), fc.string()),
      ),
    });
    fc.assert(
      fc.property(record, (r) => {
        const decoded = decodeCloudEvent(r);
        if (!decoded.ok) return typeof decoded.error.code === 'string';
        const data = parseEventData(decoded.event, MdmComplianceV1);
        return data.ok || typeof data.error.code === 'string';
      }),
      { numRuns: 500 },
    );
  });
});
