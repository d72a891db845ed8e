#!/usr/bin/env node
/** The `macsec` command: yargs wiring only; every command's work lives in the layers below. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './commands/bench.js';
import { compareCommand } from './commands/compare.js';
import { explainCommand } from './commands/explain.js';
import { generateCommand } from './commands/generate.js';
import { protectCommand } from './commands/protect.js';
import { simulateCommand } from './commands/simulate.js';
import { teachCommand } from './commands/teach.js';
import { validateCommand } from './commands/validate.js';
import { vectorsCommand } from './commands/vectors.js';
import { EXIT_USAGE, NO_COMMAND, stdioValues, usageLine } from './output.js';
import { useNodeBackends } from '../crypto/node-backends.js';

useNodeBackends();

await yargs(stdioValues(hideBin(process.argv)))
  .scriptName('macsec')
  .usage('$0 <command> [options]\n\nA MACsec (IEEE 802.1AE) frame encryption simulator.')
  .command(vectorsCommand)
  .command(protectCommand)
  .command(validateCommand)
  .command(explainCommand)
  .command(simulateCommand)
  .command(benchCommand)
  .command(teachCommand)
  .command(generateCommand)
  .command(compareCommand)
  .demandCommand(1, NO_COMMAND)
  .strict()
  .recommendCommands()
  .fail((message, error) => {
    if (error) throw error;
    process.stderr.write(`macsec: ${usageLine(message, stdioValues(hideBin(process.argv)))}\n`);
    process.exit(EXIT_USAGE);
  })
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(110, process.stdout.columns ?? 100))
  .parseAsync();
