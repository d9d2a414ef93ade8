// steward-admin: the local CLI for the host's root. Works when steward-api is down.
import type { Command } from './command.ts';
import { commands as basic } from './commands/basic.ts';
import { commands as setup } from './commands/setup.ts';
import { commands as access } from './commands/access.ts';

const COMMANDS: Command[] = [...basic, ...setup, ...access];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'Usage: steward-admin COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.help}`),
    '',
    'Configuration file: $STEWARD_CONFIG or /etc/steward/steward.conf',
  ].join('\n');
}

export async function runAdmin(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(usage());
    return argv.length === 0 ? 2 : 0;
  }
  const match = COMMANDS.filter((c) => c.name.every((w, i) => argv[i] === w)).sort((a, b) => b.name.length - a.name.length)[0];
  if (!match) {
    console.error(`steward-admin: unknown command '${argv.join(' ')}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await match.run(argv.slice(match.name.length));
  } catch (err) {
    console.error(`steward-admin: ${(err as Error).message}`);
    return 1;
  }
}

process.exitCode = await runAdmin(process.argv.slice(2));
