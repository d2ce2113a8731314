import { randomBytes } from 'node:crypto';
import { deadLetterTopicOf, ServiceTopics, Topics } from '@easgate/contracts';
import { linkVaultToSandbox, reportFigures, terminateConnections } from '@easgate/testing';
import { KafkaMdmSender } from './support/mdm-sender';
import {
  type DistributedWorld,
  startDistributedWorld,
  stopDistributedWorld,
  withLogs,
} from './support/e2e-world';
import { PASSED, runFeedScenario } from './support/feed-scenario';
import { TopicReader } from './support/topic-reader';

// Issue 11 §2: every service its own OS process on a Kafka broker of the suite's own and PostgreSQL
// (through a proxy the suite can cut), the exo-sandbox process as Exchange. The scenarios share the
// deployment and run in the order below; each reads back only its own mailboxes (apps/e2e/README.md).
const MINUTE = 60_000;
const VAULT_DOWN_MS = 35_000;
const world: Partial<DistributedWorld> = {};
let w: DistributedWorld;
let sender: KafkaMdmSender;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function feedOptions(scenario: string, prefix: string, devices: number, events: number, seed: number) {
  return {
    scenario,
    runDir: w.runDir,
    sandbox: w.sandbox.admin,
    tenant: w.sandbox.info.tenantId,
    organization: w.sandbox.info.organization,
    prefix,
    devices,
    events,
    seed,
    explain: async (mdmDeviceId: string) => {
      const res = await fetch(
        `${w.easgate.url('policy-translator')}/v1/tenants/${w.sandbox.info.tenantId.toLowerCase()}/devices/${mdmDeviceId}/explain`,
        { headers: { authorization: `Bearer ${w.easgate.apiToken}` } },
      );
      return await res.json();
    },
  };
}

/** Dead letters (any `.dlq` of a consumed topic) whose key or value names the scenario's prefix. */
async function deadLettersOf(prefix: string, settleMs = 3_000): Promise<string[]> {
  const topics = [Topics.MdmCompliance, Topics.ExchangeCommand, Topics.ExchangeResult].map(deadLetterTopicOf);
  const reader = await TopicReader.start(w.broker.brokers, topics);
  await sleep(settleMs);
  await reader.stop();
  return reader.records
    .filter((r) => `${r.key ?? ''} ${r.value}`.includes(prefix))
    .map((r) => `${r.topic} key=${r.key} reason=${r.headers['x-easgate-dlq-reason'] ?? '?'}`);
}

describe('easgate distributed (every service its own process)', () => {
  beforeAll(async () => {
    try {
      w = await startDistributedWorld(world);
      sender = await KafkaMdmSender.connect(w.broker.brokers);
    } catch (err) {
      throw withLogs(world.runDir, err);
    }
  }, 6 * MINUTE);

  afterAll(async () => {
    await sender?.close().catch(() => undefined);
    await stopDistributedWorld(world);
  }, 2 * MINUTE);

  it(
    'scenario 1: a realistic MDM feed ends with every device in the state of its newest event',
    async () => {
      const result = await runFeedScenario({
        ...(await feedOptions('1-happy-path', 's1', 300, 2000, 11)),
        drive: async ({ events }) => {
          await sender.send(events);
          return {};
        },
      });
      expect(result.verdict).toEqual(PASSED);
    },
    5 * MINUTE,
  );

  it(
    'scenario 2: the policy translator killed with SIGKILL mid-stream and restarted loses and doubles nothing',
    async () => {
      const translator = w.easgate.instancesOf('policy-translator')[0];
      const result = await runFeedScenario({
        ...(await feedOptions('2-kill-translator', 's2', 120, 700, 12)),
        drive: async ({ events, callsSeen }) => {
          await sender.send(events);
          const before = await callsSeen(15);
          await w.easgate.kill(translator);
          await sleep(2_000);
          const readyMs = await w.easgate.restart(translator);
          return {
            faultEndedAt: Date.now(),
            extra: { calls_before_kill: before, restart_ready_ms: readyMs },
          };
        },
      });
      expect(result.verdict).toEqual(PASSED);
    },
    5 * MINUTE,
  );

  it(
    'scenario 3: the executor killed with SIGKILL mid-batch at 100 ms Exchange latency applies every command once, each wipe once',
    async () => {
      const executor = w.easgate.instancesOf('exchange-executor')[0];
      await w.sandbox.admin.setKnobs({ latencyMs: 100 });
      try {
        const result = await runFeedScenario({
          ...(await feedOptions('3-kill-executor', 's3', 100, 600, 13)),
          drive: async ({ events, callsSeen }) => {
            await sender.send(events);
            const before = await callsSeen(20);
            await w.easgate.kill(executor);
            await sleep(1_000);
            const readyMs = await w.easgate.restart(executor);
            return {
              faultEndedAt: Date.now(),
              extra: { calls_before_kill: before, restart_ready_ms: readyMs },
            };
          },
        });
        expect(result.verdict).toEqual(PASSED);
      } finally {
        await w.sandbox.admin.setKnobs({ latencyMs: 0 });
      }
    },
    5 * MINUTE,
  );

  it(
    'scenario 4: the cert-vault killed for 35 s while the executor needs assertions: calls pause and resume, nothing lost, nothing dead-lettered',
    async () => {
      const vault = w.easgate.instancesOf('cert-vault')[0];
      const executor = w.easgate.instancesOf('exchange-executor')[0];
      const result = await runFeedScenario({
        ...(await feedOptions('4-kill-vault', 's4', 60, 250, 14)),
        drive: async ({ events, callsSeen }) => {
          await w.easgate.kill(vault);
          // A fresh executor holds no token and no cached assertion: its first Exchange call needs the vault.
          await w.easgate.restart(executor);
          await sender.send(events);
          // Down as long as a crash-looping pod on Kubernetes: longer than the executor's Exchange retry budget.
          await sleep(VAULT_DOWN_MS);
          const callsWhileDown = await callsSeen(0);
          const readyMs = await w.easgate.restart(vault);
          return {
            faultEndedAt: Date.now(),
            extra: {
              vault_down_ms: VAULT_DOWN_MS,
              calls_while_vault_down: callsWhileDown,
              restart_ready_ms: readyMs,
            },
          };
        },
      });
      const deadLetters = await deadLettersOf('s4');
      expect({ ...result.verdict, deadLetters }).toEqual({ ...PASSED, deadLetters: [] });
    },
    5 * MINUTE,
  );

  it(
    'scenario 7: 429 storms with Retry-After and 503 bursts: back-off, nothing lost, the circuit opens and closes, alerts fire and resolve',
    async () => {
      const tenant = w.sandbox.info.tenantId.toLowerCase();
      const faultsBefore = (await w.sandbox.admin.counters())['faultsInjected'] ?? 0;
      const result = await runFeedScenario({
        ...(await feedOptions('7-throttling', 's7', 60, 300, 17)),
        drive: async ({ events, callsSeen }) => {
          await w.sandbox.admin.injectFault({
            kind: 'http-429',
            target: 'adminapi',
            count: 40,
            retryAfterSeconds: 1,
          });
          await w.sandbox.admin.injectFault({ kind: 'http-503', target: 'adminapi', count: 15 });
          await sender.send(events);
          await callsSeen(1);
          return {};
        },
        settle: { timeoutMs: 4 * MINUTE, stallMs: 90_000 },
      });
      await w.sandbox.admin.clearFaults();
      const faultsServed = ((await w.sandbox.admin.counters())['faultsInjected'] ?? 0) - faultsBefore;
      const alerts = async () => {
        const res = await fetch(`${w.easgate.url('alerting')}/v1/tenants/${tenant}/alerts?limit=200`, {
          headers: { authorization: `Bearer ${w.easgate.apiToken}` },
        });
        const body = (await res.json()) as
          { kind: string; status: string }[] | { items?: { kind: string; status: string }[] };
        const list = Array.isArray(body) ? body : (body.items ?? []);
        return list.filter((a) => a.kind === 'exchange-throttling' || a.kind === 'circuit-open');
      };
      const began = Date.now();
      let seen = await alerts();
      while (
        Date.now() - began < 60_000 &&
        !(seen.length > 0 && seen.every((a) => a.status === 'resolved'))
      ) {
        await sleep(2_000);
        seen = await alerts();
      }
      reportFigures(w.runDir, {
        ...result.figures,
        scenario: '7-throttling-alerts',
        extra: {
          alerts: seen.map((a) => `${a.kind}:${a.status}`).join(',') || 'none',
          faults_served: faultsServed,
        },
      });
      expect({
        ...result.verdict,
        alertsFired: seen.map((a) => a.kind).sort(),
        allResolved: seen.every((a) => a.status === 'resolved'),
        // The storm really hit: at least the 40 throttling answers were served.
        stormServed: faultsServed >= 40,
      }).toEqual({
        ...PASSED,
        alertsFired: ['circuit-open', 'exchange-throttling'],
        allResolved: true,
        stormServed: true,
      });
    },
    7 * MINUTE,
  );

  it(
    'scenario 8: a poison message in every consumed topic is dead-lettered with its reason and the partition keeps moving',
    async () => {
      const consumed = new Map<string, string[]>();
      for (const [service, { consumes }] of Object.entries(ServiceTopics)) {
        for (const topic of consumes.filter((t) => !t.endsWith('.dlq')))
          consumed.set(topic, [...(consumed.get(topic) ?? []), `easgate-${service}`]);
      }
      const tag = `s8poison-${randomBytes(3).toString('hex')}`;
      const result = await runFeedScenario({
        ...(await feedOptions('8-poison', 's8', 20, 80, 18)),
        drive: async ({ events }) => {
          // The poison shares its key with a device of the feed: same partition, sent before the feed.
          const key = events[0].subject!;
          for (const topic of consumed.keys()) {
            await sender.sendRaw(topic, [
              {
                key: topic === Topics.MdmCompliance ? key : `${tag}-${topic}`,
                value: `{not json ${tag}`,
                headers: { 'content-type': 'application/cloudevents+json' },
              },
            ]);
          }
          await sender.send(events);
          return {};
        },
      });
      const dlqs = [...consumed.keys()].map(deadLetterTopicOf);
      const reader = await TopicReader.start(w.broker.brokers, dlqs).catch((err: unknown) => err as Error);
      let missing: string[];
      if (reader instanceof Error) missing = [reader.message];
      else {
        const began = Date.now();
        const missingNow = () =>
          [...consumed].flatMap(([topic, groups]) =>
            groups
              .filter(
                (group) =>
                  !reader
                    .on(deadLetterTopicOf(topic))
                    .some(
                      (r) =>
                        r.value.includes(tag) &&
                        r.headers['x-easgate-dlq-consumer-group'] === group &&
                        (r.headers['x-easgate-dlq-reason'] ?? '') !== '',
                    ),
              )
              .map((group) => `${topic} (${group})`),
          );
        while (missingNow().length > 0 && Date.now() - began < 60_000) await sleep(1_000);
        missing = missingNow();
        await reader.stop();
      }
      reportFigures(w.runDir, {
        ...result.figures,
        scenario: '8-poison-dead-letters',
        extra: { poison_sent: consumed.size, dead_letters_missing: missing.length },
      });
      expect({ ...result.verdict, missingDeadLetters: missing }).toEqual({
        ...PASSED,
        missingDeadLetters: [],
      });
    },
    5 * MINUTE,
  );

  it(
    'scenario 10: a certificate near expiry in the vault raises an alert on easgate.ops.alert.v1 and in the alerting API',
    async () => {
      const link = await linkVaultToSandbox({
        vaultUrl: w.easgate.url('cert-vault'),
        apiToken: w.easgate.apiToken,
        sandbox: w.sandbox.admin,
        tenantId: w.sandbox.info.tenantId,
        organization: w.sandbox.info.organization,
        certificateDays: 5,
      });
      const began = Date.now();
      const scan = await fetch(`${w.easgate.url('cert-vault')}/v1/expiry-scan`, {
        method: 'POST',
        headers: { authorization: `Bearer ${w.easgate.apiToken}` },
      });
      expect(scan.status).toBeLessThan(300);
      const reader = await TopicReader.start(w.broker.brokers, [Topics.OpsAlert]).catch(
        (err: unknown) => err as Error,
      );
      let onTopic = false;
      let inApi = false;
      while (Date.now() - began < 60_000 && !(onTopic && inApi)) {
        if (!(reader instanceof Error))
          onTopic = reader
            .on(Topics.OpsAlert)
            .some((r) => r.value.includes('certificate-expiring') && r.value.includes(link.certificateId));
        const res = await fetch(
          `${w.easgate.url('alerting')}/v1/tenants/${link.tenantId}/alerts?kind=certificate-expiring&limit=100`,
          { headers: { authorization: `Bearer ${w.easgate.apiToken}` } },
        );
        inApi = res.ok && (await res.text()).includes(link.certificateId);
        if (!(onTopic && inApi)) await sleep(1_000);
      }
      if (!(reader instanceof Error)) await reader.stop();
      reportFigures(w.runDir, {
        scenario: '10-expiry-alert',
        eventsIn: 1,
        effectsExpected: 2,
        effectsSeen: Number(onTopic) + Number(inApi),
        lost: 2 - Number(onTopic) - Number(inApi),
        doubled: 0,
        recoverMs: Date.now() - began,
      });
      expect({ onTopic, inApi, topicError: reader instanceof Error ? reader.message : '' }).toEqual({
        onTopic: true,
        inApi: true,
        topicError: '',
      });
    },
    3 * MINUTE,
  );

  it(
    'scenario 9: two translators and two executors in one group, one of each killed: no effect doubled or reordered',
    async () => {
      const translator2 = await w.easgate.addReplica('policy-translator');
      const executor2 = await w.easgate.addReplica('exchange-executor');
      try {
        const result = await runFeedScenario({
          ...(await feedOptions('9-replicas-rebalance', 's9', 120, 700, 19)),
          drive: async ({ events, callsSeen }) => {
            const half = Math.floor(events.length / 2);
            await sender.send(events.slice(0, half));
            const before = await callsSeen(15);
            await w.easgate.kill(translator2);
            await w.easgate.kill(executor2);
            const killedAt = Date.now();
            await sender.send(events.slice(half));
            return { faultEndedAt: killedAt, extra: { calls_before_kill: before } };
          },
        });
        expect(result.verdict).toEqual(PASSED);
      } finally {
        await translator2.process.kill();
        await executor2.process.kill();
      }
    },
    5 * MINUTE,
  );

  it(
    'scenario 6: PostgreSQL connections killed and a 30 s database outage: nothing dead-lettered for it, a bad message still is',
    async () => {
      const tag = `s6poison-${randomBytes(3).toString('hex')}`;
      const result = await runFeedScenario({
        ...(await feedOptions('6-database-outage', 's6', 80, 400, 16)),
        drive: async ({ events, callsSeen }) => {
          const half = Math.floor(events.length / 2);
          await sender.send(events.slice(0, half));
          await callsSeen(5);
          let terminated = 0;
          for (const name of ['cert-vault', 'exchange-executor', 'policy-translator', 'alerting'] as const)
            terminated += await terminateConnections(w.easgate.database(name));
          w.proxy.cut(30_000);
          await sender.send(events.slice(half));
          await sender.sendRaw(Topics.MdmCompliance, [{ key: `${tag}-key`, value: `{bad ${tag}` }]);
          await sleep(30_000);
          w.proxy.heal();
          return {
            faultEndedAt: Date.now(),
            extra: { connections_terminated: terminated, outage_ms: 30_000 },
          };
        },
        settle: { timeoutMs: 4 * MINUTE, stallMs: 90_000 },
      });
      const deadLetters = await deadLettersOf('s6');
      const infraDeadLetters = deadLetters.filter((d) => !d.includes(tag));
      const poisonDeadLettered = deadLetters.some((d) => d.includes(tag));
      expect({ ...result.verdict, infraDeadLetters, poisonDeadLettered }).toEqual({
        ...PASSED,
        infraDeadLetters: [],
        poisonDeadLettered: true,
      });
    },
    6 * MINUTE,
  );

  it(
    'scenario 5: the broker killed with SIGKILL and restarted on the same data dir: everything resumes, nothing lost',
    async () => {
      const result = await runFeedScenario({
        ...(await feedOptions('5-kill-broker', 's5', 80, 400, 15)),
        drive: async ({ events, callsSeen }) => {
          const half = Math.floor(events.length / 2);
          await sender.send(events.slice(0, half));
          await callsSeen(5);
          await w.broker.kill();
          await sleep(5_000);
          await w.broker.restart();
          const restartedAt = Date.now();
          await sender.close();
          sender = await KafkaMdmSender.connect(w.broker.brokers);
          await sender.send(events.slice(half));
          return { faultEndedAt: restartedAt };
        },
        settle: { timeoutMs: 4 * MINUTE, stallMs: 90_000 },
      });
      expect(result.verdict).toEqual(PASSED);
    },
    6 * MINUTE,
  );
});
