import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { writeCaptureFileAtomic, writePcap } from '../../capture/index.js';
import { isBackendName } from '../../crypto/backend.js';
import { renderResult } from '../../link/report.js';
import { BUILTIN_SCENARIOS, builtinScenario } from '../../link/builtin.js';
import { loadScenarioFile } from '../../link/files.js';
import { simulationSteps, type SimulationResult } from '../../link/simulate.js';
import { Progress } from '../../util/progress.js';
import { guarded, UsageError } from '../output.js';

interface Args {
  scenario?: string;
  builtin?: string;
  list: boolean;
  seed?: number;
  pcapDir?: string;
  backend: string;
  json: boolean;
}

/** A scenario file or a built-in scenario's name: exactly one. */
function scenarioSource(args: Args): { readonly file: string } | { readonly builtin: string } {
  if (args.scenario !== undefined && args.builtin === undefined) return { file: args.scenario };
  if (args.builtin !== undefined && args.scenario === undefined) return { builtin: args.builtin };
  throw new UsageError('simulate: give a scenario file or --builtin NAME (--list shows them)');
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Creates `dir` and its missing parents one level at a time, before the run, so a bad --pcap-dir costs no
 * simulation. Not mkdirSync's `recursive`: Node 20 loops forever when a parent exists but answers ENOENT
 * for a child (a path under /proc, a dangling symlink), and the command would hang.
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    let isFolder: boolean;
    try {
      isFolder = statSync(d).isDirectory();
    } catch (e) {
      if (errno(e) !== 'ENOENT' || dirname(d) === d) throw new UsageError(`--pcap-dir ${dir}: cannot use ${d} (${errno(e)})`);
      missing.push(d);
      continue;
    }
    if (!isFolder) throw new UsageError(`--pcap-dir ${dir}: ${d} is not a folder`);
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      throw new UsageError(`--pcap-dir ${dir}: cannot create ${d} (${errno(e)})`);
    }
  }
}

/** The result as JSON: bigints as strings, captures as frame counts (they go to --pcap-dir). */
function toJson(r: SimulationResult): string {
  const { captures, ...rest } = r;
  const frames = Object.fromEntries(Object.entries(captures).map(([k, v]) => [k, v.length]));
  return JSON.stringify({ ...rest, captures: frames }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export const simulateCommand: CommandModule<object, Args> = {
  command: 'simulate [scenario]',
  describe: 'Run two SecYs on a simulated link with traffic, attackers, faults and key rollover',
  builder: (y: Argv) =>
    y
      .positional('scenario', { type: 'string', describe: 'scenario file (JSON; see examples/scenarios/)' })
      .option('builtin', { type: 'string', describe: 'run a built-in scenario by name (see --list)' })
      .option('list', { type: 'boolean', default: false, describe: 'list the built-in scenarios' })
      .option('seed', { type: 'number', describe: "override the scenario's seed" })
      .option('pcap-dir', { type: 'string', describe: 'write wire.pcap and each side\'s sent/received plain frames here' })
      .option('backend', { type: 'string', default: 'noble', describe: 'crypto backend' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 simulate --list', 'what there is to watch')
      .example('$0 simulate --builtin replay --pcap-dir out/', 'an attacker replays frames; open out/wire.pcap in Wireshark')
      .example('$0 simulate my-link.json --seed 7 --json', 'your own scenario'),
  handler: guarded(async (args: Args) => {
    if (args.list) {
      for (const s of BUILTIN_SCENARIOS) process.stdout.write(`${s.name.padEnd(16)} ${s.description}\n`);
      return;
    }
    const source = scenarioSource(args);
    if (!isBackendName(args.backend)) throw new UsageError(`--backend: unknown backend ${JSON.stringify(args.backend)}`);
    if (args.seed !== undefined && !(Number.isInteger(args.seed) && args.seed >= 0 && args.seed <= 0xffff_ffff)) throw new UsageError(`--seed: expected an integer 0-4294967295, got ${args.seed}`);
    if ('builtin' in source && !BUILTIN_SCENARIOS.some((s) => s.name === source.builtin)) {
      throw new UsageError(`--builtin: no scenario ${JSON.stringify(source.builtin)}; there are ${BUILTIN_SCENARIOS.map((s) => s.name).join(', ')}`);
    }
    const scenario = 'builtin' in source ? builtinScenario(source.builtin) : loadScenarioFile(source.file);
    if (args.pcapDir !== undefined) makeFolder(args.pcapDir);
    let interrupted = false;
    const onInterrupt = (): void => {
      interrupted = true;
    };
    process.once('SIGINT', onInterrupt);
    const progress = new Progress(`simulate ${scenario.name}`);
    const steps = simulationSteps(scenario, { ...(args.seed !== undefined ? { seed: args.seed } : {}), backend: args.backend, shouldStop: () => interrupted });
    let result: SimulationResult;
    for (;;) {
      const step = steps.next();
      if (step.done) {
        result = step.value;
        break;
      }
      progress.update(step.value);
      await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C in
    }
    progress.done();
    process.removeListener('SIGINT', onInterrupt);
    if (args.pcapDir !== undefined) {
      for (const [name, frames] of Object.entries(result.captures)) {
        const records = frames.map((f) => ({ data: f.data, timestampNs: BigInt(Math.round(f.atPs / 1000)) }));
        const file = join(args.pcapDir, `${name}.pcap`);
        try {
          await writeCaptureFileAtomic(file, writePcap(records, { resolution: 'ns' }));
        } catch (e) {
          throw new UsageError(`--pcap-dir: cannot write ${file} (${errno(e)})`);
        }
      }
    }
    process.stdout.write(args.json ? `${toJson(result)}\n` : `${renderResult(result)}\n${args.pcapDir !== undefined ? `\ncaptures in ${args.pcapDir}: ${Object.keys(result.captures).map((n) => `${n}.pcap`).join(', ')}\n` : ''}`);
    if (interrupted) process.exitCode = 130;
  }),
};
