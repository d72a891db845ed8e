/**
 * `npm run bench:captures`: file-to-file `protect` and `validate` on seeded captures (1 M IPv4/UDP frames of
 * 60-1514 octets, 5 M of 60 octets, and 100 k mixed for the memory comparison), each run as the built CLI
 * under /usr/bin/time for wall time and peak RSS; then where the time goes for the mixed capture (read and
 * parse, crypto, write), and the burst SecY's own rate on those frames in memory for comparison.
 *
 *   npm run bench:captures -- [--quick] [--backend native|node|noble] [--dir DIR] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CaptureReader, handleSource, PcapFileWriter, type CaptureRecord } from '../src/capture/index.js';
import { loadSaFile } from '../src/config/files.js';
import { BURST_FRAMES, transmitSecY } from '../src/config/secy-builder.js';
import { backendNames, isBackendName } from '../src/crypto/backend.js';
import { useNodeBackends } from '../src/crypto/node-backends.js';
import type { SecY } from '../src/secy/index.js';
import { generateCapture } from './capture-gen.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, backend: { type: 'string' }, dir: { type: 'string' }, keep: { type: 'boolean', default: false } },
});
useNodeBackends();
const backend = values.backend ?? (backendNames().includes('native') ? 'native' : 'node');
if (!isBackendName(backend)) throw new Error(`--backend: expected ${backendNames().join(', ')}, got ${backend}`);
const root = new URL('../..', import.meta.url).pathname; // dist/bench -> the package
const cli = join(root, 'dist/src/cli/main.js');
const saPath = join(root, 'examples/sa.json');
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'macsec-bench-captures-'));
const scale = values.quick ? 10 : 1;

const captures = [
  { name: 'mixed-1M', frames: 1_000_000 / scale, min: 60, max: 1514, seed: 1 },
  { name: 'small-5M', frames: 5_000_000 / scale, min: 60, max: 60, seed: 2 },
  { name: 'mixed-100k', frames: 100_000 / scale, min: 60, max: 1514, seed: 3 },
];

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const mframes = (frames: number, s: number): string => `${(frames / s / 1e6).toFixed(2)} M frames/s`;

/** The built CLI under /usr/bin/time: wall seconds, peak RSS in octets, and its summary line. */
function cliRun(args: string[]): { seconds: number; rss: number; summary: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`macsec ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (m === null) throw new Error(`no /usr/bin/time line in: ${r.stderr}`);
  const summary = r.stdout.split('\n').find((l) => /^(protect|validate): /.test(l)) ?? '';
  return { seconds: Number(m[1]), rss: Number(m[2]) * 1024, summary };
}

/** Reads every record of `path` in bursts, handing each burst to `each`; returns seconds. */
async function eachBurst(path: string, each: (records: CaptureRecord[]) => Promise<void> | void): Promise<number> {
  const t = performance.now();
  const handle = await open(path, 'r');
  try {
    const reader = await CaptureReader.open(handleSource(handle), path);
    for (let b = await reader.next(BURST_FRAMES, true); b.length > 0; b = await reader.next(BURST_FRAMES, true)) await each(b);
  } finally {
    await handle.close();
  }
  return (performance.now() - t) / 1000;
}

const saFile = loadSaFile(saPath);
const secy = (): SecY => transmitSecY(saFile, { backend, file: saPath });

say(`bench:captures: backend ${backend}, one thread, files in ${dir}${values.quick ? ' (quick: a tenth of the frames)' : ''}`);
for (const c of captures) {
  const path = join(dir, `${c.name}.pcap`);
  const t = performance.now();
  await generateCapture(path, c.frames, c.min, c.max, c.seed);
  say(`generated ${c.name}: ${c.frames} frames of ${c.min}-${c.max} octets, ${(statSync(path).size / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

say('\nfile to file (the CLI, wall time including start-up):');
for (const c of captures) {
  const input = join(dir, `${c.name}.pcap`);
  const protectedFile = join(dir, `${c.name}.protected.pcap`);
  const back = join(dir, `${c.name}.back.pcap`);
  const p = cliRun(['protect', '--sa', saPath, '--in', input, '--out', protectedFile, '--backend', backend]);
  const v = cliRun(['validate', '--sa', saPath, '--in', protectedFile, '--out', back, '--backend', backend]);
  for (const [what, r] of [['protect', p], ['validate', v]] as const) {
    say(`  ${what.padEnd(8)} ${c.name.padEnd(10)} ${r.seconds.toFixed(2).padStart(6)} s  ${mframes(c.frames, r.seconds).padStart(16)}  peak RSS ${(r.rss / 1e6).toFixed(0).padStart(4)} MB`);
    say(`           ${r.summary.replace(/^.*; /, 'summary: ')}`);
  }
  rmSync(protectedFile, { force: true });
  rmSync(back, { force: true });
}

for (const c of captures.slice(0, 2)) {
  const input = join(dir, `${c.name}.pcap`);
  say(`\nwhere protect's time goes, ${c.name} (in process, after one warm-up read, one run each):`);
  await eachBurst(input, () => undefined); // warms the page cache and the JIT, so the runs below compare
  const readOnly = await eachBurst(input, () => undefined);
  const tx = secy();
  const readAndCrypto = await eachBurst(input, (b) => void tx.transmitBurst(b.map((r) => r.data)));
  const out = join(dir, 'where.pcap');
  const tx2 = secy();
  const writer = await PcapFileWriter.create(out);
  const all = await eachBurst(input, async (b) => {
    const sent = tx2.transmitBurst(b.map((r) => r.data));
    await writer.write(sent.flatMap((o, i) => (o.kind === 'transmitted' ? [{ data: o.frame, timestampNs: b[i]!.timestampNs }] : [])));
  });
  await writer.close();
  rmSync(out, { force: true });
  // The burst SecY alone, on frames already in memory: the first 200 k frames (or all) held as one array.
  const held: Uint8Array[] = [];
  const cap = Math.min(c.frames, 200_000);
  const handle = await open(input, 'r');
  const reader = await CaptureReader.open(handleSource(handle), input);
  while (held.length < cap) {
    const b = await reader.next(Math.min(BURST_FRAMES, cap - held.length));
    if (b.length === 0) break;
    for (const r of b) held.push(r.data);
  }
  await handle.close();
  const tx3 = secy();
  const t = performance.now();
  for (let i = 0; i < held.length; i += BURST_FRAMES) tx3.transmitBurst(held.slice(i, i + BURST_FRAMES));
  const burstRate = held.length / ((performance.now() - t) / 1000);
  say(`  read and parse          ${readOnly.toFixed(2).padStart(6)} s  ${mframes(c.frames, readOnly)}`);
  say(`  + crypto (transmitBurst) ${(readAndCrypto - readOnly).toFixed(2).padStart(5)} s`);
  say(`  + write                  ${(all - readAndCrypto).toFixed(2).padStart(5)} s  (all three: ${all.toFixed(2)} s, ${mframes(c.frames, all)})`);
  say(`  burst SecY alone on ${held.length} frames in memory: ${(burstRate / 1e6).toFixed(2)} M frames/s; file to file is ${((c.frames / all / burstRate) * 100).toFixed(0)} % of it`);
}

if (!values.keep && values.dir === undefined) rmSync(dir, { recursive: true, force: true });
