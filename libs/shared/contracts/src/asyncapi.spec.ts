import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { cloudEventAttributesSchema } from './cloud-event';
import { CertificateEventKinds, CertificateLifecycleV1, certificateEventType } from './events/certificate';
import {
  ExchangeCommandV1,
  ExchangeConfigDriftV1,
  ExchangeEventTypes,
  ExchangeInventoryV1,
  ExchangeResultV1,
} from './events/exchange';
import { MdmComplianceV1, MdmEventTypes } from './events/mdm';
import { OpsAlertV1, OpsEventTypes, ServiceHealthV1 } from './events/ops';
import { allTopics, isDeadLetterTopic, Topics } from './topics';

/**
 * Keeps docs/asyncapi/easgate.yaml honest: its channels are the topic catalogue, and each event's
 * `data` schema is its zod schema (property names, required fields, types, enums, consts, formats and
 * bounds, at every depth). Patterns and descriptions are the document's own: zod cannot render a
 * case-insensitive regex, and prose is for people.
 */
const DOCUMENT = resolve(__dirname, '../../../../docs/asyncapi/easgate.yaml');
const STRUCTURED = 'application/cloudevents+json';

/** What each topic carries: the `data` schema and the CloudEvent types its producers use. */
const contracts: Record<keyof typeof Topics, { data: z.ZodType; types: readonly string[] }> = {
  MdmCompliance: { data: MdmComplianceV1, types: [MdmEventTypes.DeviceCompliance] },
  ExchangeCommand: { data: ExchangeCommandV1, types: [ExchangeEventTypes.Command] },
  ExchangeResult: { data: ExchangeResultV1, types: [ExchangeEventTypes.Result] },
  ExchangeInventory: { data: ExchangeInventoryV1, types: [ExchangeEventTypes.Inventory] },
  ExchangeConfigDrift: { data: ExchangeConfigDriftV1, types: [ExchangeEventTypes.ConfigDrift] },
  CertificateLifecycle: {
    data: CertificateLifecycleV1,
    types: CertificateEventKinds.map(certificateEventType),
  },
  ServiceHealth: { data: ServiceHealthV1, types: [OpsEventTypes.Health] },
  OpsAlert: { data: OpsAlertV1, types: [OpsEventTypes.AlertFiring, OpsEventTypes.AlertResolved] },
};

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asJson(value: unknown, what: string): Json {
  if (!isJson(value)) throw new Error(`${what} is not an object`);
  return value;
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not an array`);
  return value as unknown[];
}

/** A node of a document, and where it was found, so that `$ref`s inside it resolve against its own file. */
interface Located {
  value: unknown;
  root: unknown;
  file: string | undefined;
}

/** The AsyncAPI documents, loaded once each, with `$ref` resolution across files (`./x.yaml#/a/b`). */
class Documents {
  private readonly loaded = new Map<string, unknown>();

  load(file: string): unknown {
    if (!this.loaded.has(file)) this.loaded.set(file, load(readFileSync(file, 'utf8')));
    return this.loaded.get(file);
  }

  root(file: string): Located {
    const root = this.load(file);
    return { value: root, root, file };
  }

  /** Follows `$ref`s until a node that is not a reference. */
  deref(node: Located): Located {
    let current = node;
    for (let hops = 0; isJson(current.value) && typeof current.value['$ref'] === 'string'; hops++) {
      if (hops > 20) throw new Error('$ref cycle');
      const [path, pointer = ''] = current.value['$ref'].split('#');
      const file = path === '' ? current.file : resolve(dirname(current.file ?? DOCUMENT), path);
      const root = file === current.file ? current.root : this.load(file ?? DOCUMENT);
      const value = pointer
        .split('/')
        .slice(1)
        .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((at, token) => asJson(at, `${pointer} in ${file}`)[token], root);
      if (value === undefined) throw new Error(`unresolved $ref ${current.value['$ref']}`);
      current = { value, root, file };
    }
    return current;
  }

  child(node: Located, ...path: string[]): Located {
    let current = this.deref(node);
    for (const key of path) {
      current = this.deref({ ...current, value: asJson(current.value, key)[key] });
    }
    return current;
  }
}

const KEPT = ['type', 'const', 'enum', 'format'] as const;
const BOUNDS = [
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minItems',
  'maxItems',
] as const;

/**
 * The part of a JSON schema both sides must agree on, with `$ref`s resolved. zod bounds every integer
 * by ±Number.MAX_SAFE_INTEGER; the document need not say so.
 */
function skeleton(documents: Documents, node: Located): unknown {
  const at = documents.deref(node);
  if (!isJson(at.value)) return at.value;
  const schema = at.value;
  const within = (value: unknown) => skeleton(documents, { ...at, value });
  const out: Json = {};
  for (const key of KEPT) if (schema[key] !== undefined) out[key] = schema[key];
  for (const key of BOUNDS) {
    const bound = schema[key];
    if (typeof bound === 'number' && Math.abs(bound) !== Number.MAX_SAFE_INTEGER) out[key] = bound;
  }
  if (schema['properties'] !== undefined) {
    const properties = Object.entries(asJson(schema['properties'], 'properties'));
    out['properties'] = Object.fromEntries(
      properties.sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => [name, within(value)]),
    );
  }
  if (schema['required'] !== undefined) out['required'] = [...asArray(schema['required'], 'required')].sort();
  if (schema['items'] !== undefined) out['items'] = within(schema['items']);
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (schema[key] !== undefined) out[key] = asArray(schema[key], key).map(within);
  }
  const additional = schema['additionalProperties'];
  if (additional !== undefined)
    out['additionalProperties'] = typeof additional === 'boolean' ? additional : within(additional);
  return out;
}

/** zod 4's JSON Schema of what a producer may send (`io: 'input'`: non-strict objects allow more fields). */
function fromZod(documents: Documents, schema: z.ZodType): unknown {
  const json = z.toJSONSchema(schema, { io: 'input' });
  return skeleton(documents, { value: json, root: json, file: undefined });
}

function channelOf(documents: Documents, address: string): Located {
  const channels = documents.child(documents.root(DOCUMENT), 'channels');
  const found = Object.keys(asJson(channels.value, 'channels'))
    .map((name) => documents.child(channels, name))
    .find((channel) => asJson(channel.value, 'channel')['address'] === address);
  if (found === undefined) throw new Error(`no channel has address ${address}`);
  return found;
}

function messagesOf(documents: Documents, channel: Located): Located[] {
  const messages = documents.child(channel, 'messages');
  return Object.keys(asJson(messages.value, 'messages')).map((name) => documents.child(messages, name));
}

function contentTypeOf(message: Located): string {
  const contentType = asJson(message.value, 'message')['contentType'];
  if (typeof contentType !== 'string') throw new Error('message has no contentType');
  return contentType;
}

/** The schema (itself, or the last member of its `allOf`, the most specific) that defines the property `name`. */
function memberDefining(documents: Documents, node: Located, name: string): Located {
  const schema = asJson(node.value, 'schema');
  const candidates =
    schema['allOf'] === undefined
      ? [node]
      : asArray(schema['allOf'], 'allOf').map((value) => documents.deref({ ...node, value }));
  const member = [...candidates].reverse().find((candidate) => {
    const properties = asJson(candidate.value, 'schema')['properties'];
    return isJson(properties) && name in properties;
  });
  if (member === undefined) throw new Error(`no schema defines ${name}`);
  return documents.child(member, 'properties', name);
}

/** The `const` or `enum` of a type attribute, as a list. */
function typesOf(documents: Documents, node: Located): unknown[] {
  const schema = asJson(documents.deref(node).value, 'type attribute');
  return schema['const'] !== undefined ? [schema['const']] : asArray(schema['enum'], 'enum');
}

const topics = Object.entries(Topics) as [keyof typeof Topics, string][];

describe('docs/asyncapi/easgate.yaml', () => {
  const documents = new Documents();
  const sut = documents.root(DOCUMENT);

  it('is an AsyncAPI 3 document', () => {
    expect(asJson(sut.value, 'document')['asyncapi']).toMatch(/^3\.0\.\d+$/);
  });

  it('has a channel for every topic and its dead-letter topic, and for nothing else', () => {
    const channels = documents.child(sut, 'channels');
    const addresses = Object.keys(asJson(channels.value, 'channels')).map(
      (name) => asJson(documents.child(channels, name).value, name)['address'],
    );

    expect([...addresses].sort()).toEqual([...allTopics()].sort());
  });

  it.each(topics)('describes the data of %s as its zod schema, in both content modes', (name, topic) => {
    const expected = fromZod(documents, contracts[name].data);
    const messages = messagesOf(documents, channelOf(documents, topic));

    expect(messages.map(contentTypeOf).sort()).toEqual([STRUCTURED, 'application/json']);
    for (const message of messages) {
      const payload = documents.child(message, 'payload');
      const data =
        contentTypeOf(message) === STRUCTURED ? memberDefining(documents, payload, 'data') : payload;
      expect(skeleton(documents, data)).toEqual(expected);
    }
  });

  it.each(topics)('names the CloudEvent types the producers of %s use', (name, topic) => {
    const expected = [...contracts[name].types].sort();

    for (const message of messagesOf(documents, channelOf(documents, topic))) {
      const type =
        contentTypeOf(message) === STRUCTURED
          ? memberDefining(documents, documents.child(message, 'payload'), 'type')
          : memberDefining(documents, documents.child(message, 'headers'), 'ce_type');
      expect(typesOf(documents, type).sort()).toEqual(expected);
    }
  });

  it.each(topics)('gives each message of %s a Kafka key', (_name, topic) => {
    for (const message of messagesOf(documents, channelOf(documents, topic))) {
      const key = documents.child(message, 'bindings', 'kafka', 'key');
      expect(asJson(key.value, 'key')['type']).toBe('string');
    }
  });

  it('describes the CloudEvent attributes as cloudEventAttributesSchema, and as ce_* headers in binary mode', () => {
    const expected = fromZod(documents, cloudEventAttributesSchema) as Json;
    const attributes = documents.child(sut, 'components', 'schemas', 'CloudEventAttributes');
    const headers = skeleton(
      documents,
      documents.child(sut, 'components', 'schemas', 'BinaryModeHeaders'),
    ) as Json;
    const expectedProperties = asJson(expected['properties'], 'properties');

    expect(skeleton(documents, attributes)).toEqual(expected);
    expect(Object.keys(asJson(headers['properties'], 'headers')).sort()).toEqual(
      [
        'content-type',
        ...Object.keys(expectedProperties)
          .filter((attribute) => attribute !== 'datacontenttype')
          .map((attribute) => `ce_${attribute}`),
      ].sort(),
    );
    expect(headers['required']).toEqual(
      asArray(expected['required'], 'required')
        .map((attribute) => `ce_${String(attribute)}`)
        .sort(),
    );
  });

  it('builds every structured event on the CloudEvent attributes', () => {
    for (const [, topic] of topics) {
      for (const message of messagesOf(documents, channelOf(documents, topic))) {
        if (contentTypeOf(message) !== STRUCTURED) continue;
        const payload = asJson(documents.child(message, 'payload').value, topic);
        expect(asArray(payload['allOf'], 'allOf')).toContainEqual({
          $ref: '#/components/schemas/CloudEventAttributes',
        });
      }
    }
  });

  it('carries the x-easgate-dlq-* headers on every dead-letter channel', () => {
    for (const topic of allTopics().filter(isDeadLetterTopic)) {
      for (const message of messagesOf(documents, channelOf(documents, topic))) {
        const headers = documents.child(message, 'headers');
        const required = asArray(asJson(headers.value, 'headers')['required'], 'required');
        expect(required).toEqual(
          expect.arrayContaining([
            'x-easgate-dlq-error-code',
            'x-easgate-dlq-reason',
            'x-easgate-dlq-original-topic',
          ]),
        );
      }
    }
  });
});
