import { messagingEntities, messagingMigrations } from '@easgate/messaging';
import { Database } from '@easgate/persistence';
import type { Command } from 'commander';
import { embeddedServices } from '../embedded/services';

interface MigrateOptions {
  service?: string[];
}

/**
 * `easgate db migrate`: applies every service's migrations (its schema on PostgreSQL) and exits, so a
 * deployment can migrate before the new version's pods start (the Helm chart's migrations Job).
 * Services still migrate at start; after this they find nothing left to do.
 */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the services’ databases');
  db.command('migrate')
    .description('apply the migrations of every service (or of --service) to DATABASE_URL, then exit')
    .option('--service <name...>', 'only these services')
    .action(async (options: MigrateOptions) => {
      const url = process.env['DATABASE_URL'];
      if (!url) throw new Error('DATABASE_URL is required (postgres://…)');
      const known = embeddedServices.map((s) => s.name);
      const unknown = (options.service ?? []).filter((s) => !known.includes(s));
      if (unknown.length > 0)
        throw new Error(`unknown service ${unknown.join(', ')}: one of ${known.join(', ')}`);
      const chosen = embeddedServices.filter((s) => !options.service || options.service.includes(s.name));
      for (const definition of chosen) {
        const database = await Database.open({
          service: definition.name,
          url,
          dataDir: process.env['EASGATE_DATA_DIR'] ?? '.easgate',
          entities: [...messagingEntities, ...definition.entities],
          migrations: [...messagingMigrations, ...definition.migrations],
        });
        await database.close();
        console.log(`${definition.name}: migrated`);
      }
    });
}
