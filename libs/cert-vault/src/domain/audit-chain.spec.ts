import {
  type AuditFacts,
  type AuditRecord,
  type ChainHead,
  GENESIS_HASH,
  appendRecord,
  canonicalJson,
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
