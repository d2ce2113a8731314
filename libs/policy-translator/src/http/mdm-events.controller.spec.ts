import type { KafkaRecord } from '@easgate/contracts';
import type { Identity } from '@easgate/identity';
import type { MessagePublisher } from '@easgate/messaging';
import { complianceEvent } from '../demo/compliance-feed';
import { TranslatorErrorCode } from '../domain';
import { MdmEventsController } from './mdm-events.controller';
import { MdmEventsLimits } from './mdm-events.request';

const BATCH = 'application/cloudevents-batch+json';

const publisherOfContoso: Identity = {
  kind: 'publisher',
  id: 'mdm',
  roles: ['mdm-publisher'],
  tenants: ['contoso.onmicrosoft.com'],
};

function anEvent(device = 'mdm-1') {
  return complianceEvent({
    tenant: 'contoso.onmicrosoft.com',
    userPrincipalName: 'ada@contoso.com',
    mdmDeviceId: device,
    easDeviceIds: ['EAS1'],
    state: 'compliant',
  });
}

function recordingPublisher(fail?: Error) {
  const published: KafkaRecord[][] = [];
  const publisher: MessagePublisher = {
    publish: (_topic, records) => {
      if (fail) return Promise.reject(fail);
      published.push(records);
      return Promise.resolve();
    },
  };
  return { publisher, published };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: { code: string; message: string; retriable?: boolean }) => err,
  );

describe(MdmEventsController.name, () => {
  it('publishes a whole batch in one call and answers how many it accepted', async () => {
    const { publisher, published } = recordingPublisher();
    const sut = new MdmEventsController(publisher);

    const answer = await sut.publish([anEvent('a'), anEvent('b')], BATCH, publisherOfContoso);

    expect(answer).toEqual({ accepted: 2 });
    expect(published).toHaveLength(1);
    expect(published[0].map((r) => r.key)).toEqual(['a', 'b']);
  });

  it('says which events of a batch are invalid and why, and publishes none of it', async () => {
    const { publisher, published } = recordingPublisher();
    const sut = new MdmEventsController(publisher);
    const noType = { ...anEvent('c'), type: 'io.example.other' };

    const err = await rejection(
      sut.publish([anEvent('a'), 'not an event', noType], BATCH, publisherOfContoso),
    );

    expect(err.code).toBe(TranslatorErrorCode.InvalidEvent);
    expect(err.message).toContain('2 of 3 events are invalid');
    expect(err.message).toContain('events[1]: must be a CloudEvent (a JSON object)');
    expect(err.message).toContain('events[2]: type: "io.example.other" is not accepted here');
    expect(published).toEqual([]);
  });

  it('rejects a subject that names another device than the data', async () => {
    const sut = new MdmEventsController(recordingPublisher().publisher);
    const err = await rejection(sut.publish([{ ...anEvent('a'), subject: 'b' }], BATCH, publisherOfContoso));
    expect(err.message).toContain('events[0]: subject: "b" must equal data.mdmDeviceId "a"');
  });

  it('refuses a batch over the events limit as too large', async () => {
    const sut = new MdmEventsController(recordingPublisher().publisher);
    const events = Array.from({ length: MdmEventsLimits.maxEvents + 1 }, () => anEvent());
    const err = await rejection(sut.publish(events, BATCH, publisherOfContoso));
    expect(err.code).toBe(TranslatorErrorCode.PayloadTooLarge);
  });

  it('wants an array in batch mode and one event in structured mode', async () => {
    const sut = new MdmEventsController(recordingPublisher().publisher);
    expect((await rejection(sut.publish(anEvent(), BATCH, publisherOfContoso))).code).toBe(
      TranslatorErrorCode.InvalidRequest,
    );
    expect(
      (await rejection(sut.publish([anEvent()], 'application/cloudevents+json', publisherOfContoso))).code,
    ).toBe(TranslatorErrorCode.InvalidRequest);
  });

  it('still takes one event or an array as application/json', async () => {
    const sut = new MdmEventsController(recordingPublisher().publisher);
    expect(await sut.publish(anEvent(), 'application/json', publisherOfContoso)).toEqual({ accepted: 1 });
    expect(await sut.publish([anEvent(), anEvent()], undefined, publisherOfContoso)).toEqual({ accepted: 2 });
  });

  it('answers a retriable MDM_EVENTS_NOT_STORED when the bus did not store the events', async () => {
    const sut = new MdmEventsController(recordingPublisher(new Error('broker unreachable')).publisher);
    const err = await rejection(sut.publish([anEvent()], BATCH, publisherOfContoso));
    expect(err.code).toBe(TranslatorErrorCode.EventsNotStored);
    expect(err.retriable).toBe(true);
    expect(err.message).toContain('broker unreachable');
  });

  it('refuses the whole request when one event speaks for a tenant the publisher is not bound to', async () => {
    const { publisher, published } = recordingPublisher();
    const sut = new MdmEventsController(publisher);
    const other = anEvent('b');
    const foreign = { ...other, data: { ...other.data, tenant: 'fabrikam.onmicrosoft.com' } };

    await expect(sut.publish([anEvent('a'), foreign], BATCH, publisherOfContoso)).rejects.toMatchObject({
      response: { code: 'FORBIDDEN_TENANT' },
    });
    expect(published).toHaveLength(0);
  });
});
