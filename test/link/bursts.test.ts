/**
 * Packed bursts in the link model are a specialisation of sending and receiving each frame alone
 * (`bursts: false`): over random scenarios (traffic shapes, actors, rekeys by PN and by time, refusals,
 * queue overflow, a duration ending mid-flow, the timeline) both give the same result, every captured frame
 * included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeScenario } from '../../src/link/scenario.js';
import { simulate, type SimulationResult } from '../../src/link/simulate.js';

const size = fc.oneof(fc.integer({ min: 64, max: 1518 }), fc.constant('imix'), fc.constant({ sweep: [64, 1518, 97] }));
const flow = fc.record(
  {
    from: fc.constantFrom('a', 'b'),
    frames: fc.integer({ min: 1, max: 150 }),
    size,
    load: fc.constantFrom(1, 0.9, 0.5, 0.1),
    burst: fc.record({ frames: fc.integer({ min: 1, max: 50 }), gap: fc.constantFrom('1us', '10us') }),
    start: fc.constantFrom('0ns', '3us', '40us'),
    vlan: fc.integer({ min: 1, max: 4094 }),
    payload: fc.constantFrom('counter', 'zeros', 'random', 'text'),
  },
  { requiredKeys: ['from', 'frames', 'size', 'load'] },
);
const actor = fc.oneof(
  fc.record({ type: fc.constant('drop'), rate: fc.constantFrom(0.01, 0.1) }),
  fc.record({ type: fc.constant('duplicate'), rate: fc.constant(0.05) }),
  fc.record({ type: fc.constant('reorder'), rate: fc.constant(0.1), depth: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ type: fc.constant('corrupt'), rate: fc.constant(0.05) }),
  fc.record({ type: fc.constant('jitter'), max: fc.constantFrom('50ns', '2us') }),
  fc.record({ type: fc.constant('replay'), rate: fc.constant(0.05), window: fc.constant(16) }),
  fc.record({ type: fc.constant('inject'), rate: fc.constant(0.05) }),
  fc.record({ type: fc.constant('tap') }),
);
const scenario = fc.record(
  {
    link: fc.record({ rate: fc.constantFrom('1G', '10G', '100G'), cableMeters: fc.constantFrom(0, 10, 2000), queueFrames: fc.constantFrom(2, 16, 4096) }),
    secy: fc.record(
      {
        cipherSuite: fc.constantFrom('GCM-AES-128', 'GCM-AES-XPN-256'),
        protectFrames: fc.boolean(),
        confidentialityProtect: fc.boolean(),
        replayWindow: fc.constantFrom(0, 2, 32),
        validateFrames: fc.constantFrom('Strict', 'Check', 'Disabled'),
      },
      { requiredKeys: ['cipherSuite'] },
    ),
    keys: fc.record({ initialPN: fc.constantFrom('1', '4294967000'), rekeyAtPN: fc.constantFrom('40', '300', '4294967200'), rekeyEvery: fc.constantFrom('50us', '400us'), retireAfter: fc.constantFrom('1us', '30us') }, { requiredKeys: [] }),
    traffic: fc.array(flow, { minLength: 1, maxLength: 3 }),
    actors: fc.record({ a: fc.array(actor, { maxLength: 2 }), b: fc.array(actor, { maxLength: 2 }) }),
    duration: fc.constantFrom('5us', '60us', '1ms'),
    timeline: fc.constantFrom('5us', '25us'),
  },
  { requiredKeys: ['link', 'secy', 'keys', 'traffic', 'actors'] },
);

/** The whole result as text, frames in hex (a deep compare of every captured frame's octets is slow). */
const text = (r: SimulationResult): string =>
  JSON.stringify(r, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? v.toString() : v), 1);

describe('simulate in packed bursts', () => {
  it('gives the result of sending and receiving each frame alone, every captured frame included', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(undefined, 600), (doc, seed, maxFrameSize) => {
        const s = decodeScenario({ name: 'random', ...doc });
        const options = { seed, maxFrameSize };
        expect(text(simulate(s, { ...options, bursts: true }))).toBe(text(simulate(s, { ...options, bursts: false })));
      }),
      { numRuns: 40 },
    );
  });

  it('a full-load flow crossing its rekey threshold: the same frames, the rekey at the same frame', () => {
    const s = decodeScenario({ name: 'threshold', traffic: [{ from: 'a', frames: 2100, size: 64, load: 1 }], keys: { rekeyAtPN: '1000', retireAfter: '1us' }, timeline: '10us' });
    const on = simulate(s, { bursts: true });
    // Each SA starts at PN 1 and sends 1000 frames: a rekey after frames 1000 and 2000.
    expect(on.rekeys.map((r) => r.reason)).toEqual(Array(2).fill('PN 1000 reached the threshold 1000'));
    expect(text(on)).toBe(text(simulate(s, { bursts: false })));
  });
});
