/**
 * `npm run bench:captures`: file-to-file `protect` and `validate` on seeded captures (N IPv4/UDP frames of
 * 60-1514 octets, 5 N of 60 octets, and 100 k mixed for the memory comparison; N = 1 M by default), each run
 * as the built CLI under /usr/bin/time for wall time and peak RSS; beside them, in the same rounds, the
 * packed SecY's own rate (transmitPacked / receivePacked over the same frames held in memory) and the
 * ratio; then where the time goes (read, parse, crypto, write), in process. Rounds are interleaved and
 * medians reported, with the load average: the machine is shared. Outputs are new files every round.
 *
 *   npm run bench:captures -- [--frames N] [--rounds R] [--backend native|node|noble] [--dir DIR] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openCaptureFile, PcapFileWriter, READ_CHUNK, type RecordBatch } from '../src/capture/index.js';
import { useNodeCrc32 } from '../src/capture/node-crc32.js';
import { loadSaFile } from '../src/config/files.js';
import { BURST_FRAMES, transmitSecY } from '../src/config/secy-builder.js';
import { backendNames, isBackendName } from '../src/crypto/backend.js';
import { nativeCrc32 } from '../src/crypto/native.js';
import { useNodeBackends } from '../src/crypto/node-backends.js';
import { PACKED_ROOM, packedOutcomes } from '../src/crypto/packed.js';
import { buildReceiveSecY } from '../src/runs/receiver.js';
import type { SecY } from '../src/secy/index.js';
import { packedFrames, type PackedFrames } from '../src/wire/packed.js';
import { generateCapture } from './capture-gen.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    backend: { type: 'string' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
useNodeBackends();
useNodeCrc32(nativeCrc32);
const backend = values.backend ?? (backendNames().includes('native') ? 'native' : 'node');
if (!isBackendName(backend)) throw new Error(`--backend: expected ${backendNames().join(', ')}, got ${backend}`);
const frames = Number(values.frames);
const rounds = Number(values.rounds);
if (!Number.isInteger(frames) || frames < 1000) throw new Error(`--frames: expected a whole number of at least 1000, got ${values.frames}`);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a whole number of at least 1, got ${values.rounds}`);
const root = new URL('../..', import.meta.url).pathname; // dist/bench -> the package
const cli = join(root, 'dist/src/cli/main.js');
const saPath = join(root, 'examples/sa.json');
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'macsec-bench-captures-'));

const captures = [
  { name: 'mixed', frames, min: 60, max: 1514, seed: 1 },
  { name: 'small', frames: 5 * frames, min: 60, max: 60, seed: 2 },
  { name: 'mixed-100k', frames: 100_000, min: 60, max: 1514, seed: 3 },
];
/** Frames held in memory for the packed SecY's own rate. */
const HELD = Math.min(frames, 200_000);

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mfps = (rate: number): string => `${(rate / 1e6).toFixed(2)} M frames/s`;
const seconds = (t: number): number => (performance.now() - t) / 1000;

/** The built CLI under /usr/bin/time: wall seconds, peak RSS in octets, and its summary line. */
function cliRun(args: string[]): { seconds: number; rss: number; summary: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`macsec ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (m === null) throw new Error(`no /usr/bin/time line in: ${r.stderr}`);
  const summary = r.stdout.split('\n').find((l) => /^(protect|validate): /.test(l)) ?? '';
  return { seconds: Number(m[1]), rss: Number(m[2]) * 1024, summary };
}

/** Every batch of `path` through `each`; returns seconds. */
async function eachBatch(path: string, each: (b: RecordBatch) => Promise<void> | void): Promise<number> {
  const t = performance.now();
  const { reader, close } = await openCaptureFile(path);
  try {
    for (let b = await reader.nextBatch(BURST_FRAMES); b.count > 0; b = await reader.nextBatch(BURST_FRAMES)) await each(b);
  } finally {
    await close();
  }
  return seconds(t);
}

/** `path`'s batches through `step` (a SecY's packed call into `out`), each written to the pcap file `file`; returns seconds. */
async function throughWriter(path: string, step: (b: RecordBatch) => void, out: PackedFrames, file: string): Promise<number> {
  const writer = await PcapFileWriter.create(file);
  const t = await eachBatch(path, async (b) => {
    step(b);
    await writer.writePacked(out, b);
  });
  await writer.close();
  return t;
}

/** The file's octets read in chunks, nothing parsed; returns seconds. */
async function readOnly(path: string): Promise<number> {
  const t = performance.now();
  const handle = await open(path, 'r');
  const chunk = new Uint8Array(READ_CHUNK);
  try {
    while ((await handle.read(chunk, 0, chunk.length, null)).bytesRead > 0);
  } finally {
    await handle.close();
  }
  return seconds(t);
}

/** The first `count` frames of `path` copied into one PackedFrames. */
async function hold(path: string, count: number, maxLength: number): Promise<PackedFrames> {
  const held = packedFrames(count, count * maxLength);
  let at = 0;
  await eachBatch(path, (b) => {
    for (let i = 0; i < b.count && held.count < count; i++) {
      held.data.set(b.data.subarray(b.offsets[i], b.offsets[i]! + b.lengths[i]!), at);
      held.offsets[held.count] = at;
      held.lengths[held.count++] = b.lengths[i]!;
      at += b.lengths[i]!;
    }
  });
  return held;
}

/** `run` over `input` in bursts of BURST_FRAMES; returns frames/s and the output frames, packed. */
function packedRate(input: PackedFrames, run: (i: PackedFrames, o: PackedFrames, outcomes: ReturnType<typeof packedOutcomes>) => void): { rate: number; output: PackedFrames } {
  const outcomes = packedOutcomes(BURST_FRAMES);
  const out = packedFrames(BURST_FRAMES, BURST_FRAMES * (1514 + 2 * PACKED_ROOM));
  const output = packedFrames(input.count, input.data.length + input.count * PACKED_ROOM);
  let at = 0;
  let spent = 0;
  for (let i = 0; i < input.count; i += BURST_FRAMES) {
    const n = Math.min(BURST_FRAMES, input.count - i);
    const burst: PackedFrames = { data: input.data, offsets: input.offsets.subarray(i, i + n), lengths: input.lengths.subarray(i, i + n), count: n };
    const t = performance.now();
    run(burst, out, outcomes);
    spent += performance.now() - t;
    for (let k = 0; k < n; k++) {
      output.data.set(out.data.subarray(out.offsets[k], out.offsets[k]! + out.lengths[k]!), at);
      output.offsets[output.count] = at;
      output.lengths[output.count++] = out.lengths[k]!;
      at += out.lengths[k]!;
    }
  }
  return { rate: input.count / (spent / 1000), output };
}

const saFile = loadSaFile(saPath);
const txSecY = (): SecY => transmitSecY(saFile, { backend, file: saPath });
const rxSecY = (): SecY => buildReceiveSecY(saFile, { validateFrames: 'strict', replayWindow: 0, replayProtect: true }, backend, saPath);

say(`bench:captures: backend ${backend}, one thread, ${rounds} rounds (medians), files in ${dir}; load average ${load()}`);
for (const c of captures) {
  const path = join(dir, `${c.name}.pcap`);
  const t = performance.now();
  await generateCapture(path, c.frames, c.min, c.max, c.seed);
  say(`generated ${c.name}: ${c.frames} frames of ${c.min}-${c.max} octets, ${(statSync(path).size / 1e6).toFixed(0)} MB in ${seconds(t).toFixed(1)} s`);
}

const file = (name: string, what: string): string => join(dir, `${name}.${what}.pcap`);
say('\nfile to file (the CLI, wall time including start-up) beside the packed SecY on the same frames in memory:');
for (const c of captures) {
  const input = join(dir, `${c.name}.pcap`);
  const runs: { p: ReturnType<typeof cliRun>; v: ReturnType<typeof cliRun>; tx: number; rx: number }[] = [];
  const held = c.name === 'mixed-100k' ? undefined : await hold(input, Math.min(c.frames, HELD), c.max);
  for (let r = 0; r < rounds; r++) {
    // Each round writes new files, as the first does: replacing a file syncs it to disk first (file.ts), which
    // would measure the disk rather than the run.
    for (const what of ['protected', 'back']) rmSync(file(c.name, what), { force: true });
    const p = cliRun(['protect', '--sa', saPath, '--in', input, '--out', file(c.name, 'protected'), '--backend', backend]);
    const v = cliRun(['validate', '--sa', saPath, '--in', file(c.name, 'protected'), '--out', file(c.name, 'back'), '--backend', backend]);
    let tx = Number.NaN;
    let rx = Number.NaN;
    if (held !== undefined) {
      const t = txSecY();
      const protectedFrames = packedRate(held, (i, o, outcomes) => t.transmitPacked(i, o, outcomes));
      tx = protectedFrames.rate;
      const rxy = rxSecY();
      rx = packedRate(protectedFrames.output, (i, o, outcomes) => rxy.receivePacked(i, o, outcomes)).rate;
    }
    runs.push({ p, v, tx, rx });
  }
  const p = median(runs.map((r) => r.p.seconds));
  const v = median(runs.map((r) => r.v.seconds));
  const tx = median(runs.map((r) => r.tx));
  const rx = median(runs.map((r) => r.rx));
  const line = (what: string, s: number, rss: number, secy: number): string =>
    `  ${what.padEnd(8)} ${c.name.padEnd(10)} ${s.toFixed(2).padStart(6)} s  ${mfps(c.frames / s).padStart(16)}  peak RSS ${(rss / 1e6).toFixed(0).padStart(4)} MB` +
    (Number.isNaN(secy) ? '' : `   packed SecY ${mfps(secy)}: file to file is ${((c.frames / s / secy) * 100).toFixed(0)} % of it`);
  say(line('protect', p, Math.max(...runs.map((r) => r.p.rss)), tx));
  say(line('validate', v, Math.max(...runs.map((r) => r.v.rss)), rx));
  say(`           ${runs[0]!.p.summary.replace(/^.*; /, 'protect summary: ')}`);
  say(`           ${runs[0]!.v.summary.replace(/^.*; /, 'validate summary: ')}`);
  say(`           load average ${load()}`);
}

for (const c of captures.slice(0, 2)) {
  const input = join(dir, `${c.name}.pcap`);
  const protectedFile = file(c.name, 'protected');
  say(`\nwhere the time goes, ${c.name} (in process, one warm-up, medians of ${rounds}):`);
  const out = join(dir, 'where.pcap');
  const take = { read: [] as number[], parse: [] as number[], parseProtected: [] as number[], protect: [] as number[], protectWrite: [] as number[], validate: [] as number[], validateWrite: [] as number[] };
  await eachBatch(input, () => undefined); // page cache and JIT warm
  for (let r = 0; r < rounds; r++) {
    take.read.push(await readOnly(input));
    take.parse.push(await eachBatch(input, () => undefined));
    take.parseProtected.push(await eachBatch(protectedFile, () => undefined));
    const outcomes = packedOutcomes(BURST_FRAMES);
    const o = packedFrames(BURST_FRAMES, BURST_FRAMES * (c.max + 2 * PACKED_ROOM)); // protected frames, opened
    const tx = txSecY();
    take.protect.push(await eachBatch(input, (b) => tx.transmitPacked(b, o, outcomes)));
    const tx2 = txSecY();
    take.protectWrite.push(await throughWriter(input, (b) => tx2.transmitPacked(b, o, outcomes), o, out));
    const rx = rxSecY();
    take.validate.push(await eachBatch(protectedFile, (b) => rx.receivePacked(b, o, outcomes)));
    const rx2 = rxSecY();
    take.validateWrite.push(await throughWriter(protectedFile, (b) => rx2.receivePacked(b, o, outcomes), o, out));
  }
  rmSync(out, { force: true });
  const m = Object.fromEntries(Object.entries(take).map(([k, v]) => [k, median(v)])) as Record<keyof typeof take, number>;
  const row = (what: string, s: number): string => `  ${what.padEnd(34)} ${s.toFixed(2).padStart(6)} s`;
  say(row('read (the file in chunks, no parse)', m.read));
  say(row('+ parse (records into batches)', m.parse - m.read));
  say(row('+ crypto (transmitPacked)', m.protect - m.parse));
  say(`${row('+ write (writePacked)', m.protectWrite - m.protect)}   all: ${m.protectWrite.toFixed(2)} s, ${mfps(c.frames / m.protectWrite)}`);
  say(row('validate: read + parse', m.parseProtected));
  say(row('validate: + crypto (receivePacked)', m.validate - m.parseProtected));
  say(`${row('validate: + write (writePacked)', m.validateWrite - m.validate)}   all: ${m.validateWrite.toFixed(2)} s, ${mfps(c.frames / m.validateWrite)}`);
  say(`  load average ${load()}`);
}

for (const c of captures) for (const what of ['protected', 'back']) rmSync(file(c.name, what), { force: true });
if (!values.keep && values.dir === undefined) rmSync(dir, { recursive: true, force: true });
