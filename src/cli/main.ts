#!/usr/bin/env node
/** The `macsec` command: yargs wiring only; every command's work lives in the layers below. */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { Argv } from 'yargs';
import { EXIT_USAGE, NO_COMMAND, stdioValues, usageLine } from './output.js';
import { nativeCrc32 } from '../crypto/native.js';
import { useNodeBackends } from '../crypto/node-backends.js';
import { useNodeCrc32 } from '../capture/node-crc32.js';

useNodeBackends();
useNodeCrc32(nativeCrc32);

// Each command's module (and what it imports) is loaded only when that command runs: start-up is part of
// every run. Without a command word (help, a typo) all are loaded, in the order help lists them.
const COMMANDS: Readonly<Record<string, () => Promise<(y: Argv) => Argv>>> = {
  vectors: async () => {
    const { vectorsCommand } = await import('./commands/vectors.js');
    return (y) => y.command(vectorsCommand);
  },
  protect: async () => {
    const { protectCommand } = await import('./commands/protect.js');
    return (y) => y.command(protectCommand);
  },
  validate: async () => {
    const { validateCommand } = await import('./commands/validate.js');
    return (y) => y.command(validateCommand);
  },
  explain: async () => {
    const { explainCommand } = await import('./commands/explain.js');
    return (y) => y.command(explainCommand);
  },
  simulate: async () => {
    const { simulateCommand } = await import('./commands/simulate.js');
    return (y) => y.command(simulateCommand);
  },
  bench: async () => {
    const { benchCommand } = await import('./commands/bench.js');
    return (y) => y.command(benchCommand);
  },
  teach: async () => {
    const { teachCommand } = await import('./commands/teach.js');
    return (y) => y.command(teachCommand);
  },
  generate: async () => {
    const { generateCommand } = await import('./commands/generate.js');
    return (y) => y.command(generateCommand);
  },
  compare: async () => {
    const { compareCommand } = await import('./commands/compare.js');
    return (y) => y.command(compareCommand);
  },
};
const word = hideBin(process.argv)[0];
const load = word !== undefined && Object.hasOwn(COMMANDS, word) ? [COMMANDS[word]!] : Object.values(COMMANDS);
const commands = await Promise.all(load.map((f) => f()));

await commands
  .reduce((y, register) => register(y), yargs(stdioValues(hideBin(process.argv))).scriptName('macsec').usage('$0 <command> [options]\n\nA MACsec (IEEE 802.1AE) frame encryption simulator.'))
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
