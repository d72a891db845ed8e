/**
 * The package as users get it (issue 11): `npm pack`, installed into a new project (both with
 * --ignore-scripts: the tarball needs no rebuild), every entry imported by name from ESM, a consumer
 * type-checked with tsc, and the README's library examples run as written: the Node ones with node (the
 * streamed capture's output checked by a SecY of the test's own), the browser one bundled by esbuild and run
 * in Chromium.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcap } from '../../src/capture/index.js';
import { SecY } from '../../src/secy/index.js';
import { fromHex } from '../../src/util/hex.js';
import { bundleForBrowser, runInPage } from '../support/browser.js';
import { macsec, ROOT } from '../support/cli.js';

const ENTRIES = ['macsec-sim', ...['wire', 'crypto', 'secy', 'mka', 'link', 'explain', 'config', 'conformance', 'node'].map((e) => `macsec-sim/${e}`)];

/** The README's code block that follows `marker` (a line of prose ending in a colon). */
function readmeBlock(marker: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}"`);
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  if (block === null) throw new Error(`README.md: no js block after "${marker}"`);
  return block[1]!;
}

let project = '';
const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'macsec-sim-consumer-'));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: ROOT, encoding: 'utf8' })) as { filename: string }[];
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', join(project, packed[0]!.filename), '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed package, installed into a new project', () => {
  it('imports every entry point by name from ESM', () => {
    const script = `${ENTRIES.map((e, i) => `import * as m${i} from '${e}';`).join('\n')}\nconsole.log(JSON.stringify([${ENTRIES.map((_, i) => `Object.keys(m${i}).length`).join(', ')}]));\n`;
    writeFileSync(join(project, 'entries.mjs'), script);
    const counts = JSON.parse(run('node', ['entries.mjs'])) as number[];
    expect(counts).toHaveLength(ENTRIES.length);
    for (const [i, n] of counts.entries()) expect(n, ENTRIES[i]).toBeGreaterThan(0);
  });

  it('type-checks a consumer with tsc (and the plumbing is not there to import)', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { runVectors, ANNEX_C_VECTORS, SecY, type BackendName, type VectorReport } from 'macsec-sim';
import { parseMacsecFrame, type MacsecFrame } from 'macsec-sim/wire';
import { protect, SaContext, CIPHER_SUITES } from 'macsec-sim/crypto';
import { type ReceiveOutcome } from 'macsec-sim/secy';
import { KaY, parseMkpdu } from 'macsec-sim/mka';
import { simulate, builtinScenario, type SimulationResult } from 'macsec-sim/link';
import { explainFrame, type ExplainNode } from 'macsec-sim/explain';
import { decodeSaFile, type SaFile } from 'macsec-sim/config';
import { SHIPPED_VECTORS } from 'macsec-sim/conformance';
import { useNodeBackends, BurstPool, runVectorFile, readPcap, openCaptureFile, PcapFileWriter, type FrameTimes } from 'macsec-sim/node';
// @ts-expect-error plumbing stays internal
import { readU16 } from 'macsec-sim/wire';

useNodeBackends();
const backend: BackendName = 'node';
const report: VectorReport = runVectors(ANNEX_C_VECTORS[0]!.data, { backend });
const sa = new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: new Uint8Array(16) });
const out: Uint8Array = protect(sa, new Uint8Array(60), { an: 0, sci: new Uint8Array(8), pn: 1n, includeSci: true, endStation: false, scb: false, confidentiality: true, confidentialityOffset: 0 });
const parsed = parseMacsecFrame(out);
const frame: MacsecFrame | undefined = parsed.ok ? parsed.value : undefined;
const outcome: ReceiveOutcome = new SecY({ sci: '0200000000010001' }).receive(out);
const result: SimulationResult = simulate(builtinScenario('replay'));
const nodes: ExplainNode[] = explainFrame(out);
const file: SaFile = decodeSaFile({ cipherSuite: 'GCM-AES-128', key: '00'.repeat(16), sci: '0200000000010001', an: 0, pn: '1' });
const times: FrameTimes | undefined = undefined;
export const all = [report, frame, outcome, result, nodes, file, SHIPPED_VECTORS, KaY, parseMkpdu, BurstPool, runVectorFile, readPcap, openCaptureFile, PcapFileWriter, times, readU16];
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      output = run('node', [tsc, '-p', 'tsconfig.json']);
    } catch (e) {
      output = `${(e as { stdout?: string }).stdout ?? ''}${(e as Error).message}`;
    }
    expect(output).toBe('');
  });

  it("runs the README's Node example as written", () => {
    writeFileSync(join(project, 'readme-node.mjs'), readmeBlock('In Node:'));
    expect(run('node', ['readme-node.mjs'])).toBe('32 of 32 Annex C vectors pass\ncontrolled 1\n');
  });

  it("runs the README's streaming example as written: every frame of examples/plain.pcap protected, in order, with its time", () => {
    cpSync(join(ROOT, 'examples'), join(project, 'examples'), { recursive: true });
    writeFileSync(join(project, 'readme-stream.mjs'), readmeBlock('memory stays the same whatever the file\'s size:'));
    expect(run('node', ['readme-stream.mjs'])).toBe('40\n');
    const plain = readPcap(readFileSync(join(ROOT, 'examples/plain.pcap')), 'plain.pcap').records;
    const sent = readPcap(readFileSync(join(project, 'protected.pcap')), 'protected.pcap').records;
    const sak = fromHex('ad7a2bd03eac835a6f620fdcb506b345');
    const b = new SecY({ sci: '0200000000020001' });
    b.createReceiveSC('0200000000010001');
    b.createReceiveSA('0200000000010001', { an: 0, sak, enable: true });
    expect(sent.map((r) => r.timestampNs)).toEqual(plain.map((r) => r.timestampNs));
    const back = sent.map((r) => b.receive(r.data));
    expect(back.map((o) => (o.kind === 'controlled' ? Buffer.from(o.frame).toString('hex') : o.kind))).toEqual(plain.map((r) => Buffer.from(r.data).toString('hex')));
  });

  it("runs the README's browser example, bundled by esbuild, in Chromium", async (ctx) => {
    const bundle = await bundleForBrowser({ contents: readmeBlock('In a page, through a bundler'), resolveDir: project });
    expect(bundle.nodeImports).toEqual([]);
    const page = await runInPage(ctx, bundle.code, () => {
      const { document } = globalThis as unknown as { document: { body: { children: ArrayLike<{ textContent: string | null }> } } };
      return Array.from(document.body.children, (e) => e.textContent);
    });
    if (page === undefined) return;
    const cli = macsec(['simulate', '--builtin', 'replay']);
    expect(page).toEqual(['32 of 32 Annex C vectors pass', cli.stdout.replace(/\n$/, '')]);
  });
});
