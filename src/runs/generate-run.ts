/**
 * `macsec generate`: writes each folder of generated cases (see conformance/generate.ts) as files: cases.json
 * (the vector schema), plain.pcap and protected.pcap (frame i = case i), sa.json and sa-peer.json, refused.json,
 * and with `receive` a receive/ folder: stream.pcap, sa.json, expected.json. Every file is written atomically.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendName } from '../crypto/backend.js';
import type { CipherSuite } from '../crypto/suite.js';
import { generateFolder, generateReceiveStream, saFiles, type EdgeClass, type GeneratedFolder, type Mode, type ReceiveStream } from '../conformance/generate.js';
import { UsageError } from '../util/errors.js';
import { checkOutputPath, outputCapture, writeOutputFile } from './files.js';

export interface GenerateRunOptions {
  readonly suites: readonly CipherSuite[];
  readonly modes: readonly Mode[];
  readonly count: number;
  readonly seed: number;
  readonly classes: readonly EdgeClass[];
  readonly out: string;
  /** Add receive/ with this replay window. */
  readonly receive: { readonly replayWindow: number } | undefined;
  readonly backend: BackendName;
}

export interface GeneratedSummary {
  readonly folder: string;
  readonly cases: number;
  readonly byClass: Readonly<Record<string, number>>;
  readonly refused: number;
  readonly notApplicable: readonly EdgeClass[];
  readonly receive?: { readonly frames: number; readonly counters: Readonly<Record<string, number>> };
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/** One frame a millisecond from the epoch: the pcaps have stable bytes. */
const records = (frames: readonly Uint8Array[]) => frames.map((data, i) => ({ data, timestampNs: BigInt(i + 1) * 1_000_000n }));

function makeFolder(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new UsageError(`--out ${path}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!statSync(path).isDirectory()) throw new UsageError(`--out ${path}: not a folder`);
}

async function writeFolder(dir: string, f: GeneratedFolder, options: GenerateRunOptions): Promise<ReceiveStream | undefined> {
  makeFolder(dir);
  const withScb = f.cases.some((c) => c.sci !== f.cases[0]?.sci);
  const sa = saFiles(f.keys, f.mode, withScb);
  await writeOutputFile(checkOutputPath(join(dir, 'cases.json'), '--out'), json({ generator: { suite: f.keys.suite.name, mode: f.mode, seed: options.seed, classes: options.classes }, cases: f.cases }));
  await writeOutputFile(checkOutputPath(join(dir, 'plain.pcap'), '--out'), outputCapture(records(f.plain)));
  await writeOutputFile(checkOutputPath(join(dir, 'protected.pcap'), '--out'), outputCapture(records(f.protected)));
  await writeOutputFile(checkOutputPath(join(dir, 'sa.json'), '--out'), json(sa.transmit));
  await writeOutputFile(checkOutputPath(join(dir, 'sa-peer.json'), '--out'), json(sa.receive));
  await writeOutputFile(checkOutputPath(join(dir, 'refused.json'), '--out'), json({ refused: f.refused }));
  if (options.receive === undefined) return undefined;
  const stream = generateReceiveStream(f.keys, f.mode, options.seed, options.receive.replayWindow, options.backend);
  const rdir = join(dir, 'receive');
  makeFolder(rdir);
  await writeOutputFile(checkOutputPath(join(rdir, 'stream.pcap'), '--out'), outputCapture(records(stream.frames.map((s) => s.frame))));
  await writeOutputFile(checkOutputPath(join(rdir, 'sa.json'), '--out'), json(stream.sa));
  await writeOutputFile(checkOutputPath(join(rdir, 'expected.json'), '--out'), json({ ...stream.expected, frames: stream.frames.map((s, i) => ({ frame: i + 1, what: s.what, counter: s.counter })) }));
  return stream;
}

/** Generates and writes every suite and mode; returns a summary per folder. */
export async function generateRun(options: GenerateRunOptions): Promise<GeneratedSummary[]> {
  makeFolder(options.out);
  const out: GeneratedSummary[] = [];
  for (const suite of options.suites) {
    for (const mode of options.modes) {
      const f = generateFolder({ suite, mode, count: options.count, seed: options.seed, classes: options.classes, backend: options.backend });
      const stream = await writeFolder(join(options.out, f.name), f, options);
      const byClass: Record<string, number> = {};
      for (const c of f.cases) byClass[c.class] = (byClass[c.class] ?? 0) + 1;
      out.push({
        folder: f.name,
        cases: f.cases.length,
        byClass,
        refused: f.refused.length,
        notApplicable: f.notApplicable,
        ...(stream !== undefined ? { receive: { frames: stream.frames.length, counters: stream.expected.counters } } : {}),
      });
    }
  }
  return out;
}
