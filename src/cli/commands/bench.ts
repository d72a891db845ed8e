/** `macsec bench`: the throughput benchmark (src/bench), its table on stdout, JSON and SVG on request. */
import type { Argv, CommandModule } from 'yargs';
import { renderSvg, renderTable, runBench, BENCH_MODES, DEFAULT_SIZES, type BenchMode, type BenchSize } from '../../bench/index.js';
import { ALL_BACKEND_NAMES, availableBackends, type BackendName } from '../../crypto/backend.js';
import { CIPHER_SUITE_NAMES, cipherSuite, type CipherSuiteName } from '../../crypto/suite.js';
import { planOutputs, STDIO, writeOutputFile, writesStdout } from '../../runs/files.js';
import { decimalNumber, guarded, optionalWholeNumber, reportStream, UsageError, wholeNumber } from '../output.js';

interface Args {
  suite: string[] | undefined;
  mode: string[] | undefined;
  sizes: string[] | undefined;
  backend: string[] | undefined;
  workers: unknown;
  seconds: unknown;
  rounds: unknown;
  json: string | undefined;
  svg: string | undefined;
  quick: boolean;
}

/** Accepts both `--sizes 64 512` and `--sizes 64,512`. */
const items = (v: string[] | undefined): string[] | undefined => v?.flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);

export const benchCommand: CommandModule<object, Args> = {
  command: 'bench',
  describe: 'Measure frames/s and Gbit/s of the GCM-AES engine against node:crypto and noble baselines and Ethernet line rates',
  builder: (y: Argv) =>
    y
      .option('suite', { type: 'string', array: true, describe: `cipher suites (default all): ${CIPHER_SUITE_NAMES.join(', ')}` })
      .option('mode', { type: 'string', array: true, describe: `${BENCH_MODES.join(', ')} (default both)` })
      .option('sizes', { type: 'string', array: true, describe: `frame sizes in octets, DA to FCS, 64-1518, or imix (default ${DEFAULT_SIZES.join(',')})` })
      .option('backend', { type: 'string', array: true, describe: `backends (default every available one): ${ALL_BACKEND_NAMES.join(', ')}` })
      .option('workers', { default: 1, describe: 'worker threads for the threaded burst rows (0: none)' })
      .option('seconds', { describe: 'measuring time per case, all rounds together (default 0.5; 0.1 with --quick)' })
      .option('rounds', { describe: 'interleaved rounds (default 5; 3 with --quick)' })
      .option('json', { type: 'string', describe: 'write the whole report (every figure, the machine) as JSON to FILE (no FILE or -: to standard output, the table then to stderr)' })
      .option('svg', { type: 'string', describe: 'write the frames/s chart as SVG to FILE (-: to standard output)' })
      .option('quick', { type: 'boolean', default: false, describe: 'GCM-AES-128, confidentiality, 64/512/1518 octets: under 30 s' })
      .example('$0 bench --quick', 'a first look')
      .example('$0 bench --suite GCM-AES-128 --sizes 64,512,1518,imix --json bench.json --svg bench.svg', 'one suite, saved'),
  handler: guarded(async (args: Args) => {
    const suites = items(args.suite)?.map((s): CipherSuiteName => cipherSuite(s)?.name ?? fail(`--suite: unknown suite ${JSON.stringify(s)}; one of ${CIPHER_SUITE_NAMES.join(', ')}`));
    const modes = items(args.mode)?.map((m): BenchMode => ((BENCH_MODES as readonly string[]).includes(m) ? (m as BenchMode) : fail(`--mode: ${BENCH_MODES.join(' or ')}, not ${JSON.stringify(m)}`)));
    const sizes = items(args.sizes)?.map((s): BenchSize => (s.toLowerCase() === 'imix' ? 'imix' : /^\d+$/.test(s) ? Number(s) : fail(`--sizes: octets or imix, not ${JSON.stringify(s)}`)));
    const availability = availableBackends();
    const backends = items(args.backend)?.map((b): BackendName => {
      const a = availability.find((x) => x.name === b) ?? fail(`--backend: unknown backend ${JSON.stringify(b)}; one of ${ALL_BACKEND_NAMES.join(', ')}`);
      return a.available ? a.name : fail(`--backend: ${a.name} is not available: ${a.detail}`);
    });
    const workers = wholeNumber(args.workers, '--workers');
    const seconds = args.seconds === undefined ? undefined : decimalNumber(args.seconds, '--seconds');
    const rounds = optionalWholeNumber(args.rounds, '--rounds');
    // A bad output path fails now, not after a minute of measuring. `--json` alone is standard output.
    const stdoutOr = (path: string): string => (path === '' ? STDIO : path);
    const outputs = planOutputs(
      [...(args.json !== undefined ? [['--json', stdoutOr(args.json)] as const] : []), ...(args.svg !== undefined ? [['--svg', stdoutOr(args.svg)] as const] : [])],
      [],
    );
    const jsonOut = outputs.find((o) => o.option === '--json');
    const svgOut = outputs.find((o) => o.option === '--svg');
    for (const a of availability) if (!a.available) process.stderr.write(`macsec bench: ${a.name} backend not measured: ${a.detail}\n`);
    const report = await runBench({
      suites,
      modes,
      sizes,
      backends,
      workers,
      seconds,
      rounds,
      quick: args.quick,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    reportStream(writesStdout([jsonOut, svgOut])).write(`${renderTable(report)}\n`);
    const text = new TextEncoder();
    if (jsonOut !== undefined) await writeOutputFile(jsonOut, text.encode(`${JSON.stringify(report, null, 2)}\n`));
    if (svgOut !== undefined) await writeOutputFile(svgOut, text.encode(renderSvg(report)));
  }),
};

function fail(message: string): never {
  throw new UsageError(message);
}
