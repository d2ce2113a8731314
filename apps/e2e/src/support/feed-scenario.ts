import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudEvent, MdmComplianceV1 } from '@easgate/contracts';
import { reportFigures, type SandboxAdmin, type ScenarioFigures } from '@easgate/testing';
import {
  type Comparison,
  describeDifferences,
  expectationsOf,
  type FeedExpectations,
  lossOf,
} from './expectations';
import { provisionExchange, scenarioFeed } from './mdm-feed';
import { settle } from './settle';

export interface FeedScenarioContext {
  events: CloudEvent<MdmComplianceV1>[];
  expectations: FeedExpectations;
  auditSince: number;
  /** Resolves once at least `n` cmdlet calls touched this scenario's mailboxes (a kill "mid-stream"). */
  callsSeen: (n: number, timeoutMs?: number) => Promise<number>;
}

export interface FeedScenarioOptions {
  scenario: string;
  runDir: string;
  sandbox: SandboxAdmin;
  tenant: string;
  organization: string;
  prefix: string;
  devices: number;
  events: number;
  seed: number;
  /** Sends the events and breaks what the scenario breaks; returns when the fault ended (for recover_ms). */
  drive: (
    context: FeedScenarioContext,
  ) => Promise<{ faultEndedAt?: number; extra?: ScenarioFigures['extra'] }>;
  settle?: { timeoutMs?: number; quietMs?: number; stallMs?: number };
  /** For each device left in the wrong state: what the deployment says about it (the translator's explain). */
  explain?: (mdmDeviceId: string) => Promise<unknown>;
}

export interface FeedScenarioResult {
  comparison: Comparison;
  figures: ScenarioFigures;
  /** `{lost, doubled, differences}`: a scenario passes when it equals `{lost: 0, doubled: 0, differences: ''}`. */
  verdict: { lost: number; doubled: number; differences: string };
}

/**
 * One feed scenario: the realistic MDM feed in the scenario's own mailboxes, Exchange provisioned with
 * its devices, the drive (send + fault), then the sandbox read back until it settles, and the figures.
 */
export async function runFeedScenario(options: FeedScenarioOptions): Promise<FeedScenarioResult> {
  const { events } = scenarioFeed({
    prefix: options.prefix,
    tenant: options.tenant,
    organization: options.organization,
    devices: options.devices,
    events: options.events,
    seed: options.seed,
  });
  await provisionExchange(options.sandbox, events);
  const expectations = expectationsOf(events);
  const auditSince = await options.sandbox.auditMark();
  const mailboxes = new Set(expectations.devices.map((d) => d.mailbox.split('@')[0].toLowerCase()));
  const callsSeen = async (n: number, timeoutMs = 120_000): Promise<number> => {
    const began = Date.now();
    for (;;) {
      const audit = await options.sandbox.audit({ kind: 'cmdlet', since: auditSince });
      const ours = audit.filter((e) => {
        const p = JSON.stringify(e.parameters ?? {}).toLowerCase();
        return [...mailboxes].some((m) => p.includes(`"${m}@`) || p.includes(`"${m}\\\\`));
      }).length;
      if (ours >= n || Date.now() - began > timeoutMs) return ours;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const driven = await options.drive({ events, expectations, auditSince, callsSeen });
  const settled = await settle(options.sandbox, expectations, auditSince, options.settle);
  const loss = lossOf(settled.comparison);
  const figures: ScenarioFigures = {
    scenario: options.scenario,
    eventsIn: events.length,
    effectsExpected: loss.expected,
    effectsSeen: loss.seen,
    lost: loss.lost,
    doubled: loss.doubled,
    ...(driven.faultEndedAt !== undefined &&
      settled.rightAt !== undefined && { recoverMs: Math.max(0, settled.rightAt - driven.faultEndedAt) }),
    extra: {
      devices: settled.comparison.devicesExpected,
      wipes_expected: settled.comparison.wipesExpected,
      set_casmailbox_calls: settled.comparison.setCasMailboxCalls,
      mailboxes: settled.comparison.mailboxes,
      ...driven.extra,
    },
  };
  reportFigures(options.runDir, figures);
  if (settled.comparison.wrong.length > 0 || settled.comparison.wipeDetails.length > 0)
    await writeEvidence(options, settled.comparison, auditSince);
  return {
    comparison: settled.comparison,
    figures,
    verdict: { lost: loss.lost, doubled: loss.doubled, differences: describeDifferences(settled.comparison) },
  };
}

/**
 * `<runDir>/<scenario>.evidence.json`: for the devices that differ, their MDM events, the sandbox's view
 * and cmdlet audit of their mailboxes, and the deployment's own explanation.
 */
async function writeEvidence(options: FeedScenarioOptions, comparison: Comparison, auditSince: number) {
  const wrong = comparison.wrong.slice(0, 10);
  const mailboxes = new Set(wrong.map((w) => w.expectation.mailbox.toLowerCase()));
  const alias = (m: string) => m.split('@')[0].toLowerCase();
  const audit = (await options.sandbox.audit({ kind: 'cmdlet', since: auditSince })).filter((e) =>
    [...mailboxes].some((m) =>
      JSON.stringify(e.parameters ?? {})
        .toLowerCase()
        .includes(`"${alias(m)}`),
    ),
  );
  const devices = await Promise.all(
    wrong.map(async (w) => ({
      expectation: w.expectation,
      seen: w.seen,
      explain: options.explain ? await options.explain(w.expectation.mdmDeviceId).catch(String) : undefined,
    })),
  );
  const file = join(options.runDir, `${options.scenario}.evidence.json`);
  writeFileSync(file, JSON.stringify({ devices, wipes: comparison.wipeDetails, audit }, null, 2));
  process.stdout.write(`e2e: evidence of ${options.scenario} in ${file}\n`);
}

export const PASSED = { lost: 0, doubled: 0, differences: '' };
