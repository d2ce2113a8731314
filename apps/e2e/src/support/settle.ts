import type { SandboxAdmin } from '@easgate/testing';
import { type Comparison, compareWithSandbox, type FeedExpectations } from './expectations';

export interface Settled {
  comparison: Comparison;
  /** When Exchange first held every expected state and wipe (ms since epoch), if it did. */
  rightAt?: number;
}

/**
 * Polls the sandbox until it holds what the feed dictates and its cmdlet audit has been quiet for
 * `quietMs` (so that a late doubled effect is still seen), or until `timeoutMs`: the final comparison
 * is what the scenario asserts on.
 */
export async function settle(
  sandbox: SandboxAdmin,
  expectations: FeedExpectations,
  auditSince: number,
  options: { timeoutMs?: number; quietMs?: number; stallMs?: number } = {},
): Promise<Settled> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const quietMs = options.quietMs ?? 4_000;
  // Nothing reaches Exchange any more and it is still wrong: waiting longer only makes the run slower.
  const stallMs = options.stallMs ?? 60_000;
  const began = Date.now();
  let rightAt: number | undefined;
  let lastMark = -1;
  let quietSince = Date.now();
  for (;;) {
    const comparison = await compareWithSandbox(sandbox, expectations, auditSince);
    const mark = comparison.auditMark;
    if (mark !== lastMark) {
      lastMark = mark;
      quietSince = Date.now();
    }
    const right = comparison.wrong.length === 0 && comparison.wipesMissing === 0;
    if (right) rightAt ??= Date.now();
    else rightAt = undefined;
    const quiet = Date.now() - quietSince >= quietMs;
    const stalled = !right && Date.now() - quietSince >= stallMs;
    if ((right && quiet) || stalled || Date.now() - began > timeoutMs)
      return { comparison, ...(rightAt !== undefined && { rightAt }) };
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
