import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import type { FcsMode } from '../../capture/index.js';
import { keyResolver } from '../../config/keys.js';
import { loadSaFile } from '../../config/files.js';
import { loadVectorFile } from '../../conformance/files.js';
import { compareCounters, compareFrames, deviceCountersJson, deviceCountersText, expectedCounters, type MatchBy } from '../../runs/compare.js';
import { readInputCapture } from '../../runs/files.js';
import { checkBackend, EXIT_REJECTED, FCS_DEFAULT, FCS_MODES, guarded, toJson, UsageError } from '../output.js';

interface Args {
  expected?: string;
  got?: string;
  sa?: string;
  cases?: string;
  match: string;
  counters?: string;
  fcs: FcsMode;
  backend: string;
  json: boolean;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** --counters expected.json --got FILE: the device's counters as JSON or as `ip -s macsec show` prints them. */
function countersRun(args: Args & { counters: string; got: string }): void {
  const expected = expectedCounters(parseJson(readText(args.counters), args.counters), args.counters);
  const text = readText(args.got);
  const got = text.trimStart().startsWith('{') ? deviceCountersJson(parseJson(text, args.got), args.got) : deviceCountersText(text, args.got);
  const rows = compareCounters(expected, got);
  const differ = rows.filter((r) => !r.ok).length;
  if (differ > 0) process.exitCode = EXIT_REJECTED;
  if (args.json) {
    process.stdout.write(`${toJson({ expected: args.counters, got: args.got, identical: differ === 0, counters: rows })}\n`);
    return;
  }
  const width = Math.max(...rows.map((r) => r.counter.length));
  for (const r of rows) {
    const got = r.got === undefined ? 'not reported' : String(r.got);
    process.stdout.write(`${r.ok ? 'ok  ' : 'DIFF'}  ${r.counter.padEnd(width)}  ${got} here, ${r.expected} expected\n`);
  }
  process.stdout.write(`compare: ${rows.length} counters, ${rows.length - differ} as expected, ${differ} differ\n`);
}

export const compareCommand: CommandModule<object, Args> = {
  command: 'compare',
  describe: "Compare a device's output with the expected frames (first difference named by field), or its counters with the expected ones",
  builder: (y: Argv) =>
    y
      .option('expected', { type: 'string', describe: 'the expected frames (pcap or pcapng), e.g. protected.pcap from macsec generate' })
      .option('got', { type: 'string', describe: "the device's frames (pcap or pcapng); with --counters, its counters (JSON, or ip -s macsec show text)" })
      .option('sa', { type: 'string', describe: "SA file with the expected keys: also validate the device's frames under them (wrong key or IV, or wrong framing?)" })
      .option('cases', { type: 'string', describe: 'with --sa: the cases.json of --expected (frame i = case i): each frame\'s full PN (XPN) and confidentiality offset' })
      .option('match', { choices: ['order', 'pn'], default: 'order', describe: 'pair frames by their order, or by PN' })
      .option('counters', { type: 'string', describe: 'expected.json from macsec generate --receive: compare the counters in --got with it' })
      .option('fcs', { choices: FCS_MODES, default: FCS_DEFAULT, describe: 'frames end with an FCS: auto, present, absent' })
      .option('backend', { type: 'string', default: 'noble', describe: 'crypto backend for --sa' })
      .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
      .example('$0 compare --expected cases/gcm-aes-128-confidentiality/protected.pcap --got device.pcap --sa cases/gcm-aes-128-confidentiality/sa-peer.json', 'frame by frame, with the ICV checked under the expected key')
      .example('$0 compare --expected x/protected.pcap --got device.pcap --sa x/sa-peer.json --cases x/cases.json', 'XPN beyond 2^32: the key check uses each case\'s full PN')
      .example('$0 compare --counters receive/expected.json --got counters.txt', "the receiver's counters (ip -s macsec show) against the expected ones")
      .epilogue('Exit status: 0 everything matches, 1 any difference, 2 unusable input.'),
  handler: guarded(async (args: Args) => {
    if (args.got === undefined) throw new UsageError('compare: --got names the device\'s frames (or, with --counters, its counters)');
    if (args.counters !== undefined) {
      if (args.expected !== undefined || args.sa !== undefined) throw new UsageError('compare --counters: no --expected or --sa (they compare frames)');
      countersRun({ ...args, counters: args.counters, got: args.got });
      return;
    }
    if (args.expected === undefined) throw new UsageError('compare: give --expected FRAMES (or --counters expected.json)');
    const backend = checkBackend(args.backend);
    const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
    const keys = sa !== undefined ? { resolver: keyResolver(sa, backend), xpn: sa.suite.xpn, offset: sa.confidentialityOffset } : undefined;
    if (args.cases !== undefined && sa === undefined) throw new UsageError('--cases: only with --sa (it serves the key check)');
    const cases = args.cases !== undefined ? loadVectorFile(args.cases).map((v) => ({ pn: v.pn, confidentialityOffset: v.confidentialityOffset })) : undefined;
    const expected = await readInputCapture(args.expected, args.fcs);
    if (cases !== undefined && cases.length !== expected.records.length) {
      throw new UsageError(`--cases ${args.cases}: ${cases.length} cases for ${expected.records.length} expected frames`);
    }
    const got = await readInputCapture(args.got, args.fcs);
    const rows = compareFrames(
      expected.records.map((r) => r.data),
      got.records.map((r) => r.data),
      { match: args.match as MatchBy, keys, cases },
    );
    const count = (what: string) => rows.filter((r) => r.result === what).length;
    const identical = count('identical');
    if (identical !== rows.length) process.exitCode = EXIT_REJECTED;
    if (args.json) {
      process.stdout.write(`${toJson({ expected: args.expected, got: args.got, match: args.match, identical, differ: count('differs'), missing: count('missing'), extra: count('extra'), frames: rows })}\n`);
      return;
    }
    for (const r of rows) {
      const which = r.expected !== undefined && r.got !== undefined && r.expected === r.got ? `frame ${r.expected}` : `expected frame ${r.expected ?? '-'}, device frame ${r.got ?? '-'}`;
      const at = r.offset !== undefined ? ` (octet ${r.offset})` : '';
      process.stdout.write(`${which}: ${r.result === 'identical' ? 'identical' : r.result}${r.difference !== undefined && r.result !== 'identical' ? `: ${r.difference}${at}` : r.difference !== undefined ? ` (${r.difference.replace(/^identical; /, '')})` : ''}\n`);
      if (r.keyCheck !== undefined && r.result !== 'identical') process.stdout.write(`  ${r.keyCheck}\n`);
    }
    process.stdout.write(
      `compare: ${expected.records.length} expected, ${got.records.length} from the device: ${identical} identical, ${count('differs')} differ, ${count('missing')} missing, ${count('extra')} extra\n`,
    );
  }),
};
