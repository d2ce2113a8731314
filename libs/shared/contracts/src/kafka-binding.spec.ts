import { z } from 'zod';
import { createCloudEvent } from './cloud-event';
import {
  CloudEventDecodeErrorCode,
  decodeCloudEvent,
  encodeBinary,
  encodeStructured,
  parseEventData,
  STRUCTURED_CONTENT_TYPE,
} from './kafka-binding';

const aDeviceEvent = (overrides: Partial<Parameters<typeof createCloudEvent>[0]> = {}) =>
  createCloudEvent({
    source: '//mdm.example/customer/1',
    type: 'io.easgate.test.device',
    subject: 'device-1',
    tenant: 'contoso.onmicrosoft.com',
    data: { deviceId: 'ABC', state: 'compliant' },
    ...overrides,
  });

const dataSchema = z.object({ deviceId: z.string(), state: z.enum(['compliant', 'noncompliant']) });

describe('CloudEvents Kafka binding', () => {
  it('round-trips an event in structured mode', () => {
    const event = aDeviceEvent();
    const record = encodeStructured(event, 'device-1');
    expect(record.headers['content-type']).toBe(STRUCTURED_CONTENT_TYPE);

    const decoded = decodeCloudEvent(record);

    expect(decoded).toEqual({ ok: true, mode: 'structured', event });
  });

  it('round-trips an event in binary mode with ce_ headers and the data alone in the value', () => {
    const event = aDeviceEvent();
    const record = encodeBinary(event, 'device-1');
    expect(record.headers['ce_id']).toBe(event.id);
    expect(record.headers['ce_tenant']).toBe('contoso.onmicrosoft.com');
    expect(JSON.parse(record.value!.toString())).toEqual(event.data);

    const decoded = decodeCloudEvent(record);

    expect(decoded).toEqual({ ok: true, mode: 'binary', event });
  });

  it('keeps unknown extension attributes of a binary-mode event', () => {
    const record = encodeBinary(aDeviceEvent(), 'k');
    record.headers['ce_partitionkey'] = 'device-1';
    const decoded = decodeCloudEvent(record);
    expect(decoded.ok && (decoded.event as unknown as Record<string, unknown>)['partitionkey']).toBe(
      'device-1',
    );
  });

  it('rejects a message that is neither mode and says what it expected', () => {
    const decoded = decodeCloudEvent({ key: 'k', value: Buffer.from('{"a":1}'), headers: {} });
    expect(decoded).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: CloudEventDecodeErrorCode.NotCloudEvent,
        message: expect.stringContaining('ce_specversion'),
      }),
    });
  });

  it('rejects a structured event with invalid JSON', () => {
    const decoded = decodeCloudEvent({
      key: null,
      value: Buffer.from('{"specversion":'),
      headers: { 'content-type': STRUCTURED_CONTENT_TYPE },
    });
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error.code).toBe(CloudEventDecodeErrorCode.InvalidJson);
  });

  it('names each missing or malformed attribute of a structured event', () => {
    const { id: _id, ...withoutId } = aDeviceEvent({ time: 'yesterday' });
    const decoded = decodeCloudEvent({
      key: null,
      value: Buffer.from(JSON.stringify(withoutId)),
      headers: { 'content-type': STRUCTURED_CONTENT_TYPE },
    });
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.code).toBe(CloudEventDecodeErrorCode.InvalidAttributes);
      expect(decoded.error.message).toMatch(/^id: .*; time: /);
    }
  });

  it('names the ce_ header of a malformed binary-mode attribute', () => {
    const record = encodeBinary(aDeviceEvent(), 'k');
    record.headers['ce_specversion'] = '0.3';
    const decoded = decodeCloudEvent(record);
    expect(!decoded.ok && decoded.error.message).toContain('ce_specversion: specversion must be "1.0"');
  });

  it('accepts data that matches the consumer schema and reports each field that does not', () => {
    const good = parseEventData(aDeviceEvent(), dataSchema);
    expect(good.ok).toBe(true);

    const bad = parseEventData(aDeviceEvent({ data: { deviceId: 7, state: 'lost' } }), dataSchema);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe(CloudEventDecodeErrorCode.InvalidData);
      expect(bad.error.message).toContain('data.deviceId');
      expect(bad.error.message).toContain('data.state');
    }
  });
});
