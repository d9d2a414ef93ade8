// version and config check: they work without the API daemon or the database.
import { parseArgs } from 'node:util';
import { ConfigError, configFile, loadConfig } from '../../common/config.ts';
import { RELEASE, VERSION } from '../../../shared/version.ts';
import type { Command } from '../command.ts';

export const commands: Command[] = [
  {
    name: ['version'],
    usage: 'version',
    help: 'Print the Steward version.',
    run() {
      console.log(`steward ${VERSION} (release ${RELEASE})`);
      return 0;
    },
  },
  {
    name: ['config', 'check'],
    usage: 'config check [--file PATH]',
    help: 'Validate steward.conf and print every problem found.',
    run(args) {
      const { values } = parseArgs({ args, options: { file: { type: 'string' } }, strict: true });
      const file = values.file ?? configFile();
      try {
        loadConfig(file);
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(err.message);
          return 1;
        }
        throw err;
      }
      console.log(`${file}: OK`);
      return 0;
    },
  },
];
