import {
  type AuditFacts,
  type AuditRecord,
  type ChainHead,
  GENESIS_HASH,
  appendRecord,
  auditKeyOf,
  canonicalJson,
  headMac,
  verifyChain,
} from './audit-chain';

const aFact = (overrides: Partial<AuditFacts> = {}): AuditFacts => ({
  at: '2026-11-26T10:00:00.000Z',
  actor: 'exchange-executor',
  action: 'assertion.sign',
  outcome: 'success',
  tenantId: 'tenant-1',
  certificateId: 'cert-1',
  ...overrides,
});

function aChain(length: number): { records: AuditRecord[]; head: ChainHead } {
  const records: AuditRecord[] = [];
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < length; i++) {
    const record = appendRecord(head, aFact({ reason: `call ${i}` }));
    records.push(record);
    head = { seq: record.seq, hash: record.hash };
  }
  return { records, head };
}

describe('verifyChain', () => {
  it('accepts an untouched chain', () => {
    const { records, head } = aChain(5);

    expect(verifyChain(records, head)).toEqual({ valid: true, checked: 5 });
  });

  it('accepts the empty log', () => {
    expect(verifyChain([], { seq: 0, hash: GENESIS_HASH }).valid).toBe(true);
  });

  it('detects a changed row', () => {
    const { records, head } = aChain(5);
    records[2] = { ...records[2], actor: 'mallory' };

    expect(verifyChain(records, head)).toMatchObject({ valid: false, brokenAt: 3 });
  });

  it('detects a deleted row in the middle', () => {
    const { records, head } = aChain(5);
    records.splice(1, 1);

    expect(verifyChain(records, head)).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('detects a deleted last row', () => {
    const { records, head } = aChain(5);
    records.pop();

    expect(verifyChain(records, head)).toMatchObject({ valid: false, brokenAt: 5 });
  });

  it('detects a row rewritten with a recomputed hash', () => {
    const { records, head } = aChain(3);
    const forged = appendRecord({ seq: 0, hash: GENESIS_HASH }, aFact({ actor: 'mallory' }));
    records[0] = forged;

    expect(verifyChain(records, head)).toMatchObject({ valid: false, brokenAt: 2 });
  });
});

describe('canonicalJson', () => {
  it('sorts keys and drops absent fields so equal facts hash equally', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: 'x' } })).toBe('{"a":{"c":"x"},"b":1}');
  });
});

describe('verifyChain with a keyed head', () => {
  const key = auditKeyOf(Buffer.alloc(32, 7));
  const keyed = (head: ChainHead): ChainHead => ({ ...head, mac: headMac(key, head) });

  it('accepts a head keyed by one of the audit keys', () => {
    const { records, head } = aChain(3);

    expect(
      verifyChain(records, keyed(head), { auditKeys: [auditKeyOf(Buffer.alloc(32, 1)), key] }).valid,
    ).toBe(true);
  });

  it('refuses a chain rewritten and re-hashed by someone without the key', () => {
    const { records } = aChain(3);
    const rewritten: AuditRecord[] = [];
    let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
    for (const r of records) {
      const next = appendRecord(head, { ...r, actor: r.seq === 2 ? 'mallory' : r.actor });
      rewritten.push(next);
      head = { seq: next.seq, hash: next.hash };
    }

    expect(verifyChain(rewritten, head).valid).toBe(true);
    expect(verifyChain(rewritten, { ...head, mac: 'ab'.repeat(32) }, { auditKeys: [key] })).toMatchObject({
      valid: false,
      problem: expect.stringContaining('not authenticated'),
    });
  });

  it('refuses a chain that no longer matches an exported checkpoint, or stops before it', () => {
    const { records, head } = aChain(4);
    const checkpoint = { seq: 2, hash: records[1].hash, at: '2026-12-01T00:00:00Z', mac: '' };

    expect(verifyChain(records, keyed(head), { auditKeys: [key], checkpoints: [checkpoint] }).valid).toBe(
      true,
    );
    expect(
      verifyChain(records, keyed(head), {
        auditKeys: [key],
        checkpoints: [{ ...checkpoint, hash: GENESIS_HASH }],
      }),
    ).toMatchObject({ valid: false, brokenAt: 2 });
    expect(
      verifyChain(records.slice(0, 1), keyed({ seq: 1, hash: records[0].hash }), {
        auditKeys: [key],
        checkpoints: [checkpoint],
      }),
    ).toMatchObject({ valid: false });
  });
});
