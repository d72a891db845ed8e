/**
 * `npm run bench:simulate`: simulated frames per wall-clock (and CPU) second for a clean 10G link of
 * 64-octet frames at full load in one direction, one thread, the fastest backend; and peak RSS.
 *
 *   npm run bench:simulate -- [--frames N] [--backend native|node|noble] [--alone]
 *
 * --alone sends and receives each frame alone (simulate's `bursts: false`), to compare with the packed bursts.
 */
import { parseArgs } from 'node:util';
import { backendNames, isBackendName } from '../src/crypto/backend.js';
import { useNodeBackends } from '../src/crypto/node-backends.js';
import { decodeScenario } from '../src/link/scenario.js';
import { simulationSteps } from '../src/link/simulate.js';

const { values } = parseArgs({ options: { frames: { type: 'string', default: '1000000' }, backend: { type: 'string' }, alone: { type: 'boolean', default: false } } });
useNodeBackends();
const backend = values.backend ?? (backendNames().includes('native') ? 'native' : 'node');
if (!isBackendName(backend)) throw new Error(`--backend: expected ${backendNames().join(', ')}, got ${backend}`);
const frames = Number(values.frames);
const scenario = decodeScenario({
  name: 'clean-10g',
  seed: 1,
  link: { rate: '10G', cableMeters: 10 },
  secy: { cipherSuite: 'GCM-AES-128' },
  traffic: [{ from: 'a', frames, size: 64, load: 1 }],
});
const cpu = process.cpuUsage();
const t = performance.now();
const steps = simulationSteps(scenario, { backend, bursts: !values.alone });
let r = steps.next();
while (!r.done) r = steps.next();
const wall = (performance.now() - t) / 1000;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
const d = r.value.directions['a->b'];
process.stdout.write(
  `bench:simulate: clean 10G, 64-octet frames, full load, a -> b, backend ${backend}${values.alone ? ', each frame alone' : ''}: ${d.deliveredUnique} of ${d.offered} delivered\n` +
    `  ${(frames / wall / 1e6).toFixed(3)} M simulated frames per wall-clock second (${wall.toFixed(2)} s), ` +
    `${(frames / cpuSeconds / 1e6).toFixed(3)} M per CPU second; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`,
);
