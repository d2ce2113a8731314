import type { Command } from 'commander';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'run every easgate service in one process (embedded defaults unless KAFKA_BROKERS/DATABASE_URL are set)',
    )
    .action(async () => {
      const { runEmbedded } = await import('../embedded/run-embedded');
      await runEmbedded();
      // Everything is closed by now; a library timer left behind must not keep Ctrl-C from ending us.
      setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
    });
}
