import type { Argv, CommandModule } from 'yargs';
import { cipherSuite, type CipherSuite } from '../../crypto/suite.js';
import { EDGE_CLASS_NAMES, EDGE_CLASSES, type EdgeClass, type Mode } from '../../conformance/generate.js';
import { generateRun } from '../../runs/generate-run.js';
import { checkBackend, guarded, toJson, UsageError } from '../output.js';

interface Args {
  suite: string;
  mode: string;
  count: number;
  seed: number;
  classes?: string;
  out: string;
  receive: boolean;
  'replay-window': number;
  backend: string;
  json: boolean;
}

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s !== '');

function parseSuites(text: string): CipherSuite[] {
  const suites = list(text).map((name) => cipherSuite(name) ?? (() => { throw new UsageError(`--suite: expected GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256, got ${JSON.stringify(name)}`); })());
  if (suites.length === 0) throw new UsageError('--suite: name at least one cipher suite');
  return [...new Map(suites.map((s) => [s.name, s])).values()];
}

function parseModes(text: string): Mode[] {
  const modes = list(text).map((m) => (m === 'integrity' || m === 'confidentiality' ? m : (() => { throw new UsageError(`--mode: expected integrity or confidentiality, got ${JSON.stringify(m)}`); })()));
  if (modes.length === 0) throw new UsageError('--mode: name integrity, confidentiality or both');
  return [...new Set(modes)];
}

function parseClasses(text: string | undefined): EdgeClass[] {
  if (text === undefined) return EDGE_CLASS_NAMES;
  const names = list(text);
  for (const n of names) if (!(n in EDGE_CLASSES)) throw new UsageError(`--classes: unknown class ${JSON.stringify(n)} (classes: ${EDGE_CLASS_NAMES.join(', ')})`);
  if (names.length === 0) throw new UsageError(`--classes: name at least one of ${EDGE_CLASS_NAMES.join(', ')}`);
  return EDGE_CLASS_NAMES.filter((n) => names.includes(n));
}

export const generateCommand: CommandModule<object, Args> = {
  command: 'generate',
  describe: 'Generate conformance cases for a device under test: frames, expected protected frames, SA files, refusals, a receive attack stream',
  builder: (y: Argv) =>
    y
      .option('suite', { type: 'string', default: 'GCM-AES-128', describe: 'cipher suites, comma-separated: GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128, GCM-AES-XPN-256' })
      .option('mode', { type: 'string', default: 'integrity,confidentiality', describe: 'modes, comma-separated: integrity, confidentiality' })
      .option('count', { type: 'number', default: 64, describe: 'cases per suite and mode' })
      .option('seed', { type: 'number', default: 1, describe: 'seed: the same arguments give the same bytes' })
      .option('classes', { type: 'string', describe: `edge classes, comma-separated (default all): ${EDGE_CLASS_NAMES.join(', ')}` })
      .option('out', { type: 'string', demandOption: true, describe: 'folder to write DIR/<suite>-<mode>/ into' })
      .option('receive', { type: 'boolean', default: false, describe: 'also write receive/: stream.pcap (good frames and frames to drop), sa.json, expected.json' })
      .option('replay-window', { type: 'number', default: 0, describe: 'with --receive: the replayWindow the receiver uses (expected.json)' })
      .option('backend', { type: 'string', default: 'noble', describe: 'crypto backend' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary as JSON' })
      .example('$0 generate --suite GCM-AES-128,GCM-AES-XPN-256 --count 100 --seed 7 --out cases', 'four folders of 100 cases')
      .example('$0 generate --classes sci,pn --receive --replay-window 4 --out cases', 'two classes, and a receive stream for replayWindow 4')
      .epilogue(`Edge classes:\n${EDGE_CLASS_NAMES.map((n) => `  ${n.padEnd(8)} ${EDGE_CLASSES[n]}`).join('\n')}\n\nEach folder: cases.json (vector schema: macsec vectors runs it), plain.pcap and protected.pcap (frame i = case i), sa.json (transmitter), sa-peer.json (receiver), refused.json (frames a correct transmitter refuses, with their counters).`),
  handler: guarded(async (args: Args) => {
    if (!Number.isInteger(args.count) || args.count < 1 || args.count > 100_000) throw new UsageError(`--count: expected 1-100000, got ${args.count}`);
    if (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > 0xffff_ffff) throw new UsageError(`--seed: expected an integer 0-4294967295, got ${args.seed}`);
    const w = args['replay-window'];
    if (!Number.isInteger(w) || w < 0 || w > 1024) throw new UsageError(`--replay-window: expected an integer 0-1024, got ${w}`);
    const summary = await generateRun({
      suites: parseSuites(args.suite),
      modes: parseModes(args.mode),
      count: args.count,
      seed: args.seed,
      classes: parseClasses(args.classes),
      out: args.out,
      receive: args.receive ? { replayWindow: w } : undefined,
      backend: checkBackend(args.backend),
    });
    if (args.json) {
      process.stdout.write(`${toJson({ out: args.out, folders: summary })}\n`);
      return;
    }
    for (const s of summary) {
      const classes = Object.entries(s.byClass).map(([c, n]) => `${c} ${n}`).join(', ');
      const na = s.notApplicable.length > 0 ? `; not for this suite and mode: ${s.notApplicable.join(', ')}` : '';
      const rx = s.receive !== undefined ? `; receive/: ${s.receive.frames} frames (${Object.entries(s.receive.counters).map(([c, n]) => `${c} ${n}`).join(', ')})` : '';
      process.stdout.write(`${args.out}/${s.folder}/: ${s.cases} cases (${classes}), ${s.refused} refused${na}${rx}\n`);
    }
  }),
};
