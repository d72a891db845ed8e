#!/usr/bin/env node
/** The `macsec` command: yargs wiring only; every command's work lives in the layers below. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/bench.js';
import { explainCommand } from './commands/explain.js';
import { protectCommand } from './commands/protect.js';
import { simulateCommand } from './commands/simulate.js';
import { validateCommand } from './commands/validate.js';
import { vectorsCommand } from './commands/vectors.js';
import { EXIT_USAGE } from './output.js';
import { useNodeBackends } from '../crypto/node-backends.js';

useNodeBackends();

await yargs(hideBin(process.argv))
  .scriptName('macsec')
  .usage('$0 <command> [options]\n\nA MACsec (IEEE 802.1AE) frame encryption simulator.')
  .command(vectorsCommand)
  .command(protectCommand)
  .command(validateCommand)
  .command(explainCommand)
  .command(simulateCommand)
  .command(benchCommand)
  .demandCommand(1, 'Name a command: macsec --help lists them.')
  .strict()
  .recommendCommands()
  .fail((message, error) => {
    if (error) throw error;
    // yargs spreads some messages over lines ("Invalid values:\n  Argument: ..."): one line, as every error here.
    process.stderr.write(`macsec: ${message.replace(/\s*\n\s*/g, ' ')} (macsec --help lists the options)\n`);
    process.exit(EXIT_USAGE);
  })
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
