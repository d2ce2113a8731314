import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type CloudEvent,
  describeIssues,
  encodeBinary,
  encodeStructured,
  type KafkaRecord,
  MdmComplianceStates,
  MdmComplianceV1,
  Topics,
} from '@easgate/contracts';
import {
  complianceEvent,
  complianceFeed,
  MdmEventsLimits,
  MdmEventsMediaType,
} from '@easgate/policy-translator';
import type { Command } from 'commander';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { registerMdmDeviceCommand } from './mdm-device.command';
import { describeServiceCallFailure, serviceCallInit } from './service-trust';
import { collect, integerFlag, UsageError } from './usage';

interface TargetOptions {
  brokers?: string;
  url?: string;
  tokenFile?: string;
  mode: string;
}

interface SendOptions extends TargetOptions {
  tenant: string;
  upn: string;
  device: string;
  easId: string[];
  state: string;
  reason: string[];
  policyGroup?: string;
  sequence?: string;
  platform: string;
  model: string;
  osVersion: string;
  source: string;
  validate: boolean;
}

interface GenerateOptions extends TargetOptions {
  tenant: string;
  devices: string;
  events: string;
  seed: string;
  domain: string;
  batch: string;
}

/** The API token: EASGATE_API_TOKEN, --token-file, or the one `easgate start` wrote (never a flag value). */
function apiToken(options: Pick<TargetOptions, 'tokenFile'>): string {
  if (process.env['EASGATE_API_TOKEN']) return process.env['EASGATE_API_TOKEN'];
  const file =
    options.tokenFile ??
    process.env['EASGATE_API_TOKEN_FILE'] ??
    join(resolve(process.env['EASGATE_DATA_DIR'] ?? '.easgate'), 'api-token');
  if (!existsSync(file))
    throw new UsageError(`no API token: set EASGATE_API_TOKEN or pass --token-file (looked for ${file})`);
  return readFileSync(file, 'utf8').trim();
}

/** Where events go: Kafka (--brokers or KAFKA_BROKERS) or a running easgate's translator (--url). */
interface Sink {
  /** Resolves once every event is stored (202 from the route, the broker's ack on Kafka). */
  send(events: CloudEvent[]): Promise<void>;
  /** Requests (HTTP) or produce calls (Kafka) made so far. */
  readonly requests: () => number;
  close(): Promise<void>;
  readonly description: string;
}

function encode(event: CloudEvent, mode: string, index: number): KafkaRecord {
  const key = event.subject ?? null;
  const binary = mode === 'binary' || (mode === 'mixed' && index % 2 === 1);
  return binary ? encodeBinary(event, key) : encodeStructured(event, key);
}

/**
 * The events as CloudEvents batch-mode bodies, each within what the ingestion route takes
 * (events per request and bytes), in order.
 */
export function batchBodies(
  events: CloudEvent[],
  limits: { maxEvents: number; maxBytes: number } = MdmEventsLimits,
): string[] {
  const bodies: string[] = [];
  let pending: string[] = [];
  let bytes = 2; // the brackets
  for (const event of events) {
    const json = JSON.stringify(event);
    const size = Buffer.byteLength(json) + 1; // and its comma
    if (size + 2 > limits.maxBytes)
      throw new Error(`event ${event.id} alone is over the route's limit of ${limits.maxBytes} bytes`);
    if (pending.length === limits.maxEvents || bytes + size > limits.maxBytes) {
      bodies.push(`[${pending.join(',')}]`);
      pending = [];
      bytes = 2;
    }
    pending.push(json);
    bytes += size;
  }
  if (pending.length > 0) bodies.push(`[${pending.join(',')}]`);
  return bodies;
}

async function openSink(options: TargetOptions): Promise<Sink> {
  if (!['structured', 'binary', 'mixed'].includes(options.mode)) {
    throw new UsageError(`--mode must be structured, binary or mixed (got '${options.mode}')`);
  }
  if (options.url !== undefined) {
    const url = `${options.url.replace(/\/$/, '')}/v1/mdm/events`;
    const token = apiToken(options);
    let requests = 0;
    return {
      description: url,
      requests: () => requests,
      send: async (events) => {
        for (const body of batchBodies(events)) {
          requests++;
          const res = await fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': MdmEventsMediaType.Batch },
            body,
            ...serviceCallInit(),
          }).catch((err: unknown) => {
            throw new Error(`${url} cannot be reached: ${describeServiceCallFailure(err, url)}`);
          });
          if (res.status !== 202) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
        }
      },
      close: async () => undefined,
    };
  }
  const brokers = (options.brokers ?? process.env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0)
    throw new UsageError('say where to send: --brokers / KAFKA_BROKERS (Kafka) or --url (a running easgate)');
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  const producer: Producer = new Kafka({
    clientId: 'easgate-mdm-cli',
    brokers,
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  let sent = 0;
  let requests = 0;
  return {
    description: `${Topics.MdmCompliance} on ${brokers.join(',')}`,
    requests: () => requests,
    send: async (events) => {
      requests++;
      await producer.send({
        topic: Topics.MdmCompliance,
        messages: events.map((event) => {
          const record = encode(event, options.mode, sent++);
          return { key: record.key, value: record.value, headers: record.headers };
        }),
      });
    },
    close: () => producer.disconnect(),
  };
}

async function send(options: SendOptions): Promise<void> {
  if (!(MdmComplianceStates as readonly string[]).includes(options.state)) {
    throw new UsageError(`--state must be one of ${MdmComplianceStates.join(', ')}`);
  }
  const event = complianceEvent({
    tenant: options.tenant,
    userPrincipalName: options.upn,
    mdmDeviceId: options.device,
    easDeviceIds: options.easId,
    state: options.state as MdmComplianceV1['state'],
    reasons: options.reason,
    platform: options.platform,
    model: options.model,
    osVersion: options.osVersion,
    source: options.source,
    ...(options.policyGroup !== undefined && { policyGroup: options.policyGroup }),
    ...(options.sequence !== undefined && { sequence: integerFlag('sequence', options.sequence, 0) }),
  });
  if (options.validate) {
    const parsed = MdmComplianceV1.safeParse(event.data);
    if (!parsed.success)
      throw new UsageError(
        `the event would be dead-lettered: ${describeIssues(parsed.error, 'data', 'data.')}`,
      );
  }
  const sink = await openSink(options);
  try {
    await sink.send([event]);
    console.log(
      `sent ${event.type} ${event.id} (device ${options.device}, ${options.state}) to ${sink.description}`,
    );
  } finally {
    await sink.close();
  }
}

async function generate(options: GenerateOptions): Promise<void> {
  const feed = complianceFeed({
    tenant: options.tenant,
    devices: integerFlag('devices', options.devices, 1),
    events: integerFlag('events', options.events, 1),
    seed: integerFlag('seed', options.seed, 0),
    domain: options.domain,
  });
  const batch = integerFlag('batch', options.batch, 1);
  if (batch > MdmEventsLimits.maxEvents)
    throw new UsageError(
      `--batch must be at most ${MdmEventsLimits.maxEvents} (the route's limit per request)`,
    );
  const sink = await openSink(options);
  const started = performance.now();
  try {
    for (let i = 0; i < feed.length; i += batch) {
      await sink.send(feed.slice(i, i + batch));
      process.stderr.write(`\r${Math.min(i + batch, feed.length)}/${feed.length} events`);
    }
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write('\n');
    console.log(
      `sent ${feed.length} events (${options.devices} devices, duplicates and reordering included) to ${sink.description} in ${seconds.toFixed(1)} s: ${Math.round(feed.length / seconds)} events/s accepted, ${sink.requests()} requests`,
    );
  } finally {
    await sink.close();
  }
}

function targetOptions(command: Command): Command {
  return command
    .option('--brokers <list>', 'Kafka bootstrap servers (default: KAFKA_BROKERS)')
    .option(
      '--url <url>',
      "a running easgate's policy-translator, e.g. http://127.0.0.1:8083 (instead of Kafka)",
    )
    .option(
      '--token-file <file>',
      'API token file for --url (default: EASGATE_API_TOKEN, or .easgate/api-token)',
    )
    .option('--mode <mode>', 'CloudEvents content mode on Kafka: structured, binary or mixed', 'structured');
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    console.error(`easgate mdm: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

export function registerMdmCommands(program: Command): void {
  const mdm = program
    .command('mdm')
    .description('publish MDM compliance events (easgate.mdm.compliance.v1) by hand or for load');

  targetOptions(
    mdm
      .command('send')
      .description('publish one device compliance event')
      .requiredOption('--tenant <tenant>', 'Entra tenant id or *.onmicrosoft.com domain')
      .requiredOption('--upn <upn>', 'the mailbox (userPrincipalName)')
      .requiredOption('--device <mdmDeviceId>', 'the MDM device id (also the Kafka key and subject)')
      .requiredOption('--state <state>', MdmComplianceStates.join(' | '))
      .option('--eas-id <deviceId>', 'an EAS device id (repeatable; none before the first sync)', collect, [])
      .option('--reason <text>', 'a reason (repeatable)', collect, [])
      .option('--policy-group <group>', 'the MDM policy group')
      .option('--sequence <n>', 'increasing per device (ordering)')
      .option('--platform <platform>', 'device platform', 'iOS')
      .option('--model <model>', 'device model', 'iPhone15,2')
      .option('--os-version <version>', 'OS version', '18.1')
      .option('--source <uri>', 'CloudEvents source: your MDM', '//mdm.example/easgate-cli')
      .option(
        '--no-validate',
        'send even what the contract rejects (to try the dead-letter topic on Kafka; --url refuses it with 400)',
      ),
  ).action((options: SendOptions) => run(() => send(options)));

  targetOptions(
    mdm
      .command('generate')
      .description(
        'publish a realistic feed for load: check-ins, non-compliance, resets, wipes, duplicates, reordering',
      )
      .requiredOption('--tenant <tenant>', 'Entra tenant id or *.onmicrosoft.com domain')
      .option('--devices <n>', 'devices', '100')
      .option('--events <n>', 'events', '1000')
      .option('--seed <n>', 'random seed (same seed, same feed)', '1')
      .option('--domain <domain>', 'mailbox domain', 'contoso.com')
      .option(
        '--batch <n>',
        `events per request (--url: CloudEvents batch mode, at most ${MdmEventsLimits.maxEvents} and ${MdmEventsLimits.maxBytes} bytes; Kafka: per produce call)`,
        '1000',
      ),
  ).action((options: GenerateOptions) => run(() => generate(options)));

  registerMdmDeviceCommand(mdm, apiToken);
}
