import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { WritableRecord } from '../../capture/index.js';
import { isBackendName } from '../../crypto/backend.js';
import { renderResult } from '../../link/report.js';
import { BUILTIN_SCENARIOS, builtinScenario } from '../../link/builtin.js';
import { loadScenarioFile } from '../../link/files.js';
import { CAPTURE_NAMES, simulationSteps, type CaptureName, type SimulationSummary } from '../../link/simulate.js';
import { createOutputCapture, planOutputs, type OutputCapture, type PlannedOutput } from '../../runs/files.js';
import { namingOptions } from '../../runs/receiver.js';
import { Progress } from '../../util/progress.js';
import { fastestBackend, guarded, MAX_FRAME_SIZE_OPTION, optionalWholeNumber, UsageError } from '../output.js';

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
function toJson(r: SimulationSummary): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** The pcaps of --pcap-dir (planned before the run), written as the run goes: frames gathered per slice of the run, then written. */
class PcapDir {
  private readonly pending: Record<CaptureName, WritableRecord[]> = { wire: [], 'a-sent': [], 'a-received': [], 'b-sent': [], 'b-received': [] };
  private constructor(private readonly writers: ReadonlyMap<CaptureName, OutputCapture>) {}

  /** `planned` holds one output per name of CAPTURE_NAMES, in that order. */
  static async open(planned: readonly PlannedOutput[]): Promise<PcapDir> {
    const writers = new Map<CaptureName, OutputCapture>();
    try {
      for (const [i, name] of CAPTURE_NAMES.entries()) writers.set(name, await createOutputCapture(planned[i]!, 'ns'));
    } catch (e) {
      for (const w of writers.values()) await w.abandon();
      throw e;
    }
    return new PcapDir(writers);
  }

  add(name: CaptureName, atPs: number, data: Uint8Array): void {
    this.pending[name].push({ data, timestampNs: BigInt(Math.round(atPs / 1000)) });
  }

  async flush(): Promise<void> {
    for (const [name, writer] of this.writers) {
      const records = this.pending[name];
      if (records.length === 0) continue;
      await writer.write(records);
      records.length = 0;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    for (const w of this.writers.values()) await w.close();
  }

  async abandon(): Promise<void> {
    for (const w of this.writers.values()) await w.abandon();
  }
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
      .option('backend', { type: 'string', default: fastestBackend(), describe: 'crypto backend' })
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
    const seed = optionalWholeNumber(args.seed, '--seed');
    if (seed !== undefined && !(seed >= 0 && seed <= 0xffff_ffff)) throw new UsageError(`--seed: expected an integer 0-4294967295, got ${seed}`);
    const maxFrameSize = optionalWholeNumber(args.maxFrameSize, '--max-frame-size');
    if ('builtin' in source && !BUILTIN_SCENARIOS.some((s) => s.name === source.builtin)) {
      throw new UsageError(`--builtin: no scenario ${JSON.stringify(source.builtin)}; there are ${BUILTIN_SCENARIOS.map((s) => s.name).join(', ')}`);
    }
    const scenario = 'builtin' in source ? builtinScenario(source.builtin) : loadScenarioFile(source.file);
    let planned: PlannedOutput[] = [];
    if (args.pcapDir !== undefined) {
      makeFolder(args.pcapDir);
      const dir = args.pcapDir;
      planned = planOutputs(CAPTURE_NAMES.map((name) => ['--pcap-dir', join(dir, `${name}.pcap`)] as const), 'file' in source ? [source.file] : []);
    }
    let interrupted = false;
    const onInterrupt = (): void => {
      interrupted = true;
    };
    process.once('SIGINT', onInterrupt);
    const progress = new Progress(`simulate ${scenario.name}`);
    const pcaps = planned.length > 0 ? await PcapDir.open(planned) : undefined;
    const steps = simulationSteps(scenario, {
      ...(seed !== undefined ? { seed } : {}),
      backend: args.backend,
      maxFrameSize,
      shouldStop: () => interrupted,
      ...(pcaps !== undefined ? { capture: (name: CaptureName, atPs: number, data: Uint8Array) => pcaps.add(name, atPs, data) } : {}),
    });
    let result: SimulationSummary;
    try {
      for (;;) {
        const step = namingOptions(() => steps.next()); // the SecYs are built on the first step
        if (step.done) {
          result = step.value;
          break;
        }
        progress.update(step.value);
        await pcaps?.flush();
        await new Promise((resolve) => setImmediate(resolve)); // let Ctrl-C in
      }
      await pcaps?.close();
    } catch (e) {
      await pcaps?.abandon();
      throw e;
    } finally {
      progress.done();
      process.removeListener('SIGINT', onInterrupt);
    }
    process.stdout.write(args.json ? `${toJson(result)}\n` : `${renderResult(result)}\n${args.pcapDir !== undefined ? `\ncaptures in ${args.pcapDir}: ${CAPTURE_NAMES.map((n) => `${n}.pcap`).join(', ')}\n` : ''}`);
    if (interrupted) process.exitCode = 130;
  }),
};
