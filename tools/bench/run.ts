import { runAuthBench } from './auth.bench';
import { runSandboxBench } from './sandbox.bench';
import { runExecutorBench } from './executor.bench';
import { runTranslatorBench } from './translator.bench';

// `npm run bench`: every benchmark, one after the other, in one process. Add yours to the list.
const benches: { name: string; run: () => Promise<void> }[] = [
  { name: 'auth', run: runAuthBench },
  { name: 'sandbox', run: runSandboxBench },
  { name: 'executor', run: runExecutorBench },
  { name: 'translator', run: runTranslatorBench },
];

async function main(): Promise<void> {
  for (const bench of benches) {
    const started = Date.now();
    await bench.run();
    console.log(`(${bench.name}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
