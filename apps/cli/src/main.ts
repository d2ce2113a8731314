import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { registerCertCommands } from './commands/cert.command';
import { registerDbCommands } from './commands/db.command';
import { registerDlqCommands } from './commands/dlq.command';
import { registerExchangeCommands } from './commands/exchange.command';
import { registerIdentityCommands } from './commands/identity.command';
import { registerMdmCommands } from './commands/mdm.command';
import { registerSandboxCommands } from './commands/sandbox.command';
import { registerStartCommand } from './commands/start.command';
import { registerTlsCommands } from './commands/tls.command';
import { registerTopicsCommands } from './commands/topics.command';
import { registerVaultCommands } from './commands/vault.command';

// The `easgate` command. Each command group lives in ./commands and registers itself here.
export function buildProgram(): Command {
  const program = new Command('easgate')
    .description('easgate: Exchange Online ActiveSync access kept in line with MDM compliance')
    .showHelpAfterError()
    .exitOverride();
  registerStartCommand(program);
  registerCertCommands(program);
  registerDlqCommands(program);
  registerSandboxCommands(program);
  registerVaultCommands(program);
  registerExchangeCommands(program);
  registerMdmCommands(program);
  registerTopicsCommands(program);
  registerDbCommands(program);
  registerIdentityCommands(program);
  registerTlsCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 1.
      process.exitCode = err.exitCode === 0 ? 0 : 1;
      return;
    }
    console.error(`easgate: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
