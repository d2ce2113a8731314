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
    });
}
