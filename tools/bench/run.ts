import { runAuthBench } from './auth.bench';
import { runSandboxBench } from './sandbox.bench';
import { runExecutorBench } from './executor.bench';
import { runTranslatorBench } from './translator.bench';
import { runStartupBench } from './startup.bench';
import { runHostileInputBench } from './hostile-input.bench';
import { runLatencyBench } from './latency.bench';
import { runDiscoveryBench } from './discovery.bench';
import { beginBench, writeReport } from './report';

// `npm run bench`: every benchmark, one after the other, in one process (`npm run bench -- executor`
// runs the named ones only). Add yours to the list.
const benches: { name: string; run: () => Promise<void> }[] = [
  { name: 'auth', run: runAuthBench },
  { name: 'sandbox', run: runSandboxBench },
  { name: 'executor', run: runExecutorBench },
  { name: 'translator', run: runTranslatorBench },
  { name: 'startup', run: runStartupBench },
  { name: 'hostile-input', run: runHostileInputBench },
  { name: 'latency', run: runLatencyBench },
  { name: 'discovery', run: runDiscoveryBench },
];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !benches.some((b) => b.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown bench ${unknown.join(', ')}: choose from ${benches.map((b) => b.name).join(', ')}`,
    );
  }
  for (const bench of benches.filter((b) => only.length === 0 || only.includes(b.name))) {
    const started = Date.now();
    beginBench(bench.name);
    await bench.run();
    console.log(`(${bench.name}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  writeReport();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
