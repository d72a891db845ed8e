/**
 * `npm run bench`: the benchmark.js suites (bench/suites.ts), then with --report the interleaved
 * benchmark (`runBench`, what `macsec bench` runs) with its table, JSON and SVG.
 *
 *   npm run bench -- [--quick] [--suite S,..] [--mode M,..] [--sizes 64,512,imix] [--backend B,..]
 *                    [--workers N] [--report] [--json FILE] [--svg FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backendNames, type BackendName } from '../src/crypto/backend.js';
import { useNodeBackends } from '../src/crypto/node-backends.js';
import { CIPHER_SUITE_NAMES, cipherSuite } from '../src/crypto/suite.js';
import { renderSvg, renderTable, runBench, type BenchMode, type BenchSize } from '../src/bench/index.js';
import { runSuites } from './suites.js';

useNodeBackends();

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    suite: { type: 'string' },
    mode: { type: 'string' },
    sizes: { type: 'string' },
    backend: { type: 'string' },
    workers: { type: 'string' },
    report: { type: 'boolean', default: false },
    json: { type: 'string' },
    svg: { type: 'string' },
  },
});

const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);
function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

const quick = values.quick;
const suites = (list(values.suite)?.map((s) => cipherSuite(s)?.name ?? fail(`unknown suite ${s}; one of ${CIPHER_SUITE_NAMES.join(', ')}`)) ??
  (quick ? ['GCM-AES-128'] : CIPHER_SUITE_NAMES));
const modes = (list(values.mode) ?? (quick ? ['confidentiality'] : ['integrity', 'confidentiality'])).map((m) =>
  m === 'integrity' || m === 'confidentiality' ? m : fail(`--mode: integrity or confidentiality, not ${m}`),
) as BenchMode[];
const sizes = (list(values.sizes) ?? (quick ? ['64', '512', '1518'] : ['64', '128', '256', '512', '1024', '1518', 'imix'])).map((s) =>
  s.toLowerCase() === 'imix' ? 'imix' : /^\d+$/.test(s) ? Number(s) : fail(`--sizes: octets or imix, not ${s}`),
) as BenchSize[];
const backends = (list(values.backend) ?? backendNames()).map((b) =>
  (backendNames() as readonly string[]).includes(b) ? b : fail(`--backend: ${b} is not available here (available: ${backendNames().join(', ')})`),
) as BackendName[];
const workers = values.workers === undefined ? 1 : Number(values.workers);

process.stdout.write(`benchmark.js suites (frames per second = calls per second × frames per call)\n`);
const lines = await runSuites({ suites, modes, sizes, backends, workers, maxTime: quick ? 0.3 : 1 }, (l) => process.stdout.write(`${l}\n`));
process.stdout.write('\nFrames/s against createCipheriv per frame (b), same suite:\n');
for (const l of lines) process.stdout.write(`  ${l.suite.padEnd(38)} ${l.label.padEnd(38)} ${(l.fps / 1e3).toFixed(0).padStart(7)}k fps ±${l.rme.toFixed(1)}%  ×${l.vsNodeGcm.toFixed(2)}\n`);

if (values.report || values.json !== undefined || values.svg !== undefined) {
  process.stdout.write('\nInterleaved benchmark (runBench):\n');
  const report = await runBench({ quick, suites, modes, sizes, backends, workers, onProgress: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${renderTable(report)}\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.svg !== undefined) writeFileSync(values.svg, renderSvg(report));
}
