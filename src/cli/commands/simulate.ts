import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { writePcap } from '../../capture/index.js';
import { isBackendName } from '../../crypto/backend.js';
import { renderResult } from '../../link/report.js';
import { builtinScenarios, loadScenarioFile } from '../../link/scenario.js';
import { simulationSteps, type SimulationResult } from '../../link/simulate.js';
import { planOutputs, writeOutputFile, type PlannedOutput } from '../../runs/files.js';
import { namingOptions } from '../../runs/receiver.js';
import { Progress } from '../../util/progress.js';
import { guarded, MAX_FRAME_SIZE_OPTION, optionalWholeNumber, UsageError } from '../output.js';

interface Args {
  scenario?: string;
  builtin?: string;
  list: boolean;
  seed?: unknown;
  pcapDir?: string;
  maxFrameSize?: unknown;
  backend: string;
  json: boolean;
}

/** The captures --pcap-dir holds, in the order they are written. */
const CAPTURE_NAMES: readonly (keyof SimulationResult['captures'])[] = ['wire', 'a-sent', 'a-received', 'b-sent', 'b-received'];

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
      .option('seed', { describe: "override the scenario's seed" })
      .option('pcap-dir', { type: 'string', describe: 'write wire.pcap and each side\'s sent/received plain frames here' })
      .option('max-frame-size', MAX_FRAME_SIZE_OPTION)
      .option('backend', { type: 'string', default: 'noble', describe: 'crypto backend' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 simulate --list', 'what there is to watch')
      .example('$0 simulate --builtin replay --pcap-dir out/', 'an attacker replays frames; open out/wire.pcap in Wireshark')
      .example('$0 simulate my-link.json --seed 7 --json', 'your own scenario') as Argv<Args>,
  handler: guarded(async (args: Args) => {
    if (args.list) {
      for (const s of builtinScenarios()) process.stdout.write(`${s.name.padEnd(16)} ${s.description}\n`);
      return;
    }
    if ((args.scenario === undefined) === (args.builtin === undefined)) throw new UsageError('simulate: give a scenario file or --builtin NAME (--list shows them)');
    if (!isBackendName(args.backend)) throw new UsageError(`--backend: unknown backend ${JSON.stringify(args.backend)}`);
    const seed = optionalWholeNumber(args.seed, '--seed');
    if (seed !== undefined && !(seed >= 0 && seed <= 0xffff_ffff)) throw new UsageError(`--seed: expected an integer 0-4294967295, got ${seed}`);
    const maxFrameSize = optionalWholeNumber(args.maxFrameSize, '--max-frame-size');
    let path = args.scenario;
    if (args.builtin !== undefined) {
      const found = builtinScenarios().find((s) => s.name === args.builtin);
      if (!found) throw new UsageError(`--builtin: no scenario ${JSON.stringify(args.builtin)}; there are ${builtinScenarios().map((s) => s.name).join(', ')}`);
      path = found.path;
    }
    const scenario = loadScenarioFile(path!);
    let pcaps: PlannedOutput[] = [];
    if (args.pcapDir !== undefined) {
      makeFolder(args.pcapDir);
      const dir = args.pcapDir;
      pcaps = planOutputs(CAPTURE_NAMES.map((name) => ['--pcap-dir', join(dir, `${name}.pcap`)] as const), [path!]);
    }
    let interrupted = false;
    const onInterrupt = (): void => {
      interrupted = true;
    };
    process.once('SIGINT', onInterrupt);
    const progress = new Progress(`simulate ${scenario.name}`);
    const steps = simulationSteps(scenario, { ...(seed !== undefined ? { seed } : {}), backend: args.backend, maxFrameSize, shouldStop: () => interrupted });
    let result: SimulationResult;
    for (;;) {
      const step = namingOptions(() => steps.next()); // the SecYs are built on the first step
      if (step.done) {
        result = step.value;
        break;
      }
      progress.update(step.value);
      await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C in
    }
    progress.done();
    process.removeListener('SIGINT', onInterrupt);
    for (const [i, pcap] of pcaps.entries()) {
      const records = result.captures[CAPTURE_NAMES[i]!].map((f) => ({ data: f.data, timestampNs: BigInt(Math.round(f.atPs / 1000)) }));
      await writeOutputFile(pcap, writePcap(records, { resolution: 'ns' }));
    }
    process.stdout.write(args.json ? `${toJson(result)}\n` : `${renderResult(result)}\n${args.pcapDir !== undefined ? `\ncaptures in ${args.pcapDir}: ${Object.keys(result.captures).map((n) => `${n}.pcap`).join(', ')}\n` : ''}`);
    if (interrupted) process.exitCode = 130;
  }),
};
