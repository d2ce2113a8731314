import { readPkcs12 } from '@easgate/auth';
import { bindCmdletParameters, CMDLET_NAMES, parseOpathFilter } from '@easgate/cmdlet-schemas';
import {
  decodeCloudEvent,
  ExchangeCommandV1,
  MdmComplianceV1,
  OpsAlertV1,
  ServiceHealthV1,
} from '@easgate/contracts';
import fc from 'fast-check';
import { recordFigure } from './report';

/**
 * Hostile MDM records: a UPN of 5k/10k/20k characters built to make the former pattern
 * /^[^@\s]+@[^@\s]+\.[^@\s]+$/ backtrack, timed against that pattern and against the schema now
 * (length checked first and aborting, then a linear check). Run with `npm run bench -- hostile-input`.
 */
const formerPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function millis(work: () => unknown): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function runHostileInputBench(): Promise<void> {
  console.log('hostile UPN (a@ + dots + @)   former pattern   schema now');
  for (const length of [5_000, 10_000, 20_000]) {
    const upn = `a@${'.'.repeat(length)}@`;
    const record = {
      tenant: 'contoso.onmicrosoft.com',
      userPrincipalName: upn,
      easDeviceIds: [],
      mdmDeviceId: 'mdm-1',
      platform: 'iOS',
      model: 'iPhone',
      osVersion: '18',
      state: 'compliant',
      reasons: [],
      observedAt: '2026-12-01T00:00:00Z',
    };
    const before = millis(() => formerPattern.test(upn));
    const after = millis(() => MdmComplianceV1.safeParse(record));
    console.log(
      `${String(length).padStart(6)} characters             ${before.toFixed(1).padStart(8)} ms   ${after.toFixed(2).padStart(8)} ms`,
    );
    recordFigure({
      id: `hostile-input.upn-${length}.ms`,
      figure: `hostile UPN of ${length.toLocaleString('en-US')} characters, schema check`,
      unit: 'ms',
      value: after,
      better: 'lower',
      baseline: { label: 'former pattern', value: before },
      note: 'a@ + dots + @: the backtracking case of the former UPN pattern',
    });
  }
  console.log('\nhostile corpus (fast-check samples)   inputs   worst case');
  const corpus: { name: string; inputs: unknown[]; parse: (input: unknown) => unknown }[] = [
    {
      name: 'contract schemas (4)',
      inputs: fc.sample(fc.anything({ maxDepth: 4, withObjectString: true }), 2000),
      parse: (v) =>
        [MdmComplianceV1, ExchangeCommandV1, OpsAlertV1, ServiceHealthV1].map((s) => s.safeParse(v)),
    },
    {
      name: 'Kafka records',
      inputs: fc.sample(fc.uint8Array({ maxLength: 20_000 }), 500),
      parse: (v) =>
        decodeCloudEvent({
          key: null,
          value: Buffer.from(v as Uint8Array),
          headers: { 'content-type': 'application/cloudevents+json' },
        }),
    },
    {
      name: 'OPATH filters',
      inputs: [
        ...fc.sample(fc.string({ maxLength: 5000 }), 1000),
        '('.repeat(30_000),
        '-not '.repeat(6000),
        `DeviceOS -eq '${"''".repeat(15_000)}'`,
      ],
      parse: (v) => parseOpathFilter(v as string),
    },
    {
      name: 'cmdlet parameters',
      inputs: fc.sample(fc.dictionary(fc.string({ maxLength: 20 }), fc.anything({ maxDepth: 2 })), 1000),
      parse: (v) => CMDLET_NAMES.map((n) => bindCmdletParameters(n, v, { mode: 'server' })),
    },
    {
      name: 'PKCS#12 files',
      inputs: fc.sample(fc.uint8Array({ maxLength: 5000 }), 500),
      parse: (v) => {
        try {
          readPkcs12(Buffer.from(v as Uint8Array), 'pw');
        } catch {
          // a coded Pkcs12ReadError
        }
      },
    },
  ];
  for (const { name, inputs, parse } of corpus) {
    let worst = 0;
    for (const input of inputs)
      worst = Math.max(
        worst,
        millis(() => parse(input)),
      );
    console.log(
      `${name.padEnd(36)} ${String(inputs.length).padStart(6)}   ${worst.toFixed(2).padStart(7)} ms`,
    );
    recordFigure({
      id: `hostile-input.${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.worst-ms`,
      figure: `hostile ${name}: worst case per input`,
      unit: 'ms',
      value: worst,
      better: 'lower',
      note: `${inputs.length} inputs (fast-check samples and crafted cases), each answered with a coded error or parsed`,
    });
  }
  return Promise.resolve();
}
