import type { CloudEvent, MdmComplianceV1 } from '@easgate/contracts';
import {
  createE2eDatabase,
  databaseUrl,
  dropE2eDatabase,
  E2eKafkaBroker,
  e2eRunDirectory,
  EmbeddedEasgate,
  reportFigures,
  SandboxProcess,
} from '@easgate/testing';
import { describeDifferences, expectationsOf, lossOf } from './support/expectations';
import { postMdmEvents } from './support/mdm-sender';
import { provisionExchange, scenarioEvent } from './support/mdm-feed';
import { settle } from './support/settle';

// Issue 16 §3: `easgate start` (its own process) killed with SIGKILL mid-stream, restarted, the rest
// sent; the sandbox (its own process, 40 ms latency) says whether anything accepted was lost or doubled
// and whether every requested wipe happened exactly once (account-only where that is all a device takes).
const MINUTE = 60_000;
const Ports = { sandbox: 24343, kafka: 24094, kafkaController: 24095, embedded: 24310, kafkaShape: 24320 };
const DEVICES = 300;
const KILL_AFTER = 210;

interface KillWorld {
  runDir: string;
  sandbox?: SandboxProcess;
  broker?: E2eKafkaBroker;
}

/** 420 events: every device non-compliant, a third back to compliant, 20 full wipes (3 of Outlook devices). */
function killTestFeed(prefix: string, tenant: string, organization: string) {
  const device = (i: number) => ({
    mailbox: `${prefix}user${Math.floor(i / 2)}`,
    mdmDeviceId: `${prefix}-mdm-${i}`,
    easDeviceId: `${prefix.toUpperCase()}DEV${i}`,
  });
  const outlook = new Set([100, 101, 102].map((i) => device(i).easDeviceId));
  const events: CloudEvent<MdmComplianceV1>[] = [];
  for (let i = 0; i < DEVICES; i++)
    events.push(scenarioEvent({ tenant, organization, ...device(i), state: 'noncompliant', sequence: 1 }));
  for (let i = 0; i < 100; i++)
    events.push(scenarioEvent({ tenant, organization, ...device(i), state: 'compliant', sequence: 2 }));
  for (let i = 100; i < 120; i++)
    events.push(scenarioEvent({ tenant, organization, ...device(i), state: 'full-wipe', sequence: 2 }));
  return { events, outlook };
}

async function killTest(world: KillWorld, easgate: EmbeddedEasgate, backend: string, prefix: string) {
  const sandbox = world.sandbox!;
  const { events, outlook } = killTestFeed(prefix, sandbox.info.tenantId, sandbox.info.organization);
  await provisionExchange(sandbox.admin, events, outlook);
  const expectations = expectationsOf(events);
  const auditSince = await sandbox.admin.auditMark();
  const accepted = await postMdmEvents(
    easgate.url('policy-translator'),
    easgate.apiToken,
    events.slice(0, KILL_AFTER),
  );
  await easgate.kill();
  const restartMs = await easgate.restart();
  const restartedAt = Date.now();
  await postMdmEvents(easgate.url('policy-translator'), easgate.apiToken, events.slice(KILL_AFTER));
  const settled = await settle(sandbox.admin, expectations, auditSince, { timeoutMs: 4 * MINUTE });
  const loss = lossOf(settled.comparison);
  const audit = await sandbox.admin.audit({
    kind: 'cmdlet',
    action: 'Clear-MobileDevice',
    since: auditSince,
  });
  const outlookAccountOnly = [...outlook].filter((id) =>
    audit.some(
      (e) =>
        e.status === 200 &&
        e.parameters?.['AccountOnly'] === true &&
        typeof e.parameters?.['Identity'] === 'string' &&
        e.parameters['Identity'].endsWith(id),
    ),
  ).length;
  reportFigures(world.runDir, {
    scenario: `kill-test-${backend}`,
    eventsIn: events.length,
    effectsExpected: loss.expected,
    effectsSeen: loss.seen,
    lost: loss.lost,
    doubled: loss.doubled,
    ...(settled.rightAt !== undefined && { recoverMs: settled.rightAt - restartedAt }),
    extra: {
      accepted_before_kill: accepted,
      wipes: `${settled.comparison.wipesSeen}/${settled.comparison.wipesExpected}`,
      outlook_account_only: `${outlookAccountOnly}/${outlook.size}`,
      restart_ready_ms: restartMs,
    },
  });
  return {
    lost: loss.lost,
    doubled: loss.doubled,
    wipes: `${settled.comparison.wipesSeen}/${settled.comparison.wipesExpected}`,
    outlookAccountOnly,
    differences: describeDifferences(settled.comparison),
  };
}

const PASSED = { lost: 0, doubled: 0, wipes: '20/20', outlookAccountOnly: 3, differences: '' };

describe('easgate start killed with SIGKILL mid-stream (issue 16)', () => {
  const world: KillWorld = { runDir: '' };

  beforeAll(async () => {
    world.runDir = e2eRunDirectory('kill-test');
    process.stdout.write(`e2e: logs and figures of this run in ${world.runDir}\n`);
    world.sandbox = await SandboxProcess.start({ runDir: world.runDir, port: Ports.sandbox, latencyMs: 40 });
  }, 3 * MINUTE);

  afterAll(async () => {
    await world.sandbox?.stop().catch(() => undefined);
    await world.broker?.stop().catch(() => undefined);
  }, MINUTE);

  it(
    'on the embedded default (in-process bus, SQLite) loses nothing accepted and sends every wipe once',
    async () => {
      const easgate = await EmbeddedEasgate.start({
        runDir: world.runDir,
        label: 'embedded',
        sandbox: world.sandbox!,
        fullWipes: true,
        basePort: Ports.embedded,
      }).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n(process logs: ${world.runDir})`);
      });
      try {
        expect(await killTest(world, easgate, 'embedded', 'ke')).toEqual(PASSED);
      } finally {
        await easgate.stop();
      }
    },
    8 * MINUTE,
  );

  it(
    'on Kafka + PostgreSQL loses nothing accepted and sends every wipe once',
    async () => {
      world.broker = await E2eKafkaBroker.start({
        homeDir: `/tmp/easgate-e2e-kafka-${Ports.kafka}`,
        port: Ports.kafka,
        controllerPort: Ports.kafkaController,
      });
      const database = await createE2eDatabase('e2e_kill_test');
      try {
        const easgate = await EmbeddedEasgate.start({
          runDir: world.runDir,
          label: 'kafka',
          sandbox: world.sandbox!,
          fullWipes: true,
          basePort: Ports.kafkaShape,
          kafka: { brokers: world.broker.brokers, databaseUrl: databaseUrl(database) },
        }).catch((err: unknown) => {
          throw new Error(`${(err as Error).message}\n(process logs: ${world.runDir})`);
        });
        try {
          expect(await killTest(world, easgate, 'kafka', 'kk')).toEqual(PASSED);
        } finally {
          await easgate.stop();
        }
      } finally {
        await dropE2eDatabase(database).catch(() => undefined);
      }
    },
    8 * MINUTE,
  );
});
