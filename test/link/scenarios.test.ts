import { describe, expect, it } from 'vitest';
import { writePcap } from '../../src/capture/index.js';
import { BUILTIN_SCENARIOS, builtinScenario } from '../../src/link/builtin.js';
import { decodeScenario } from '../../src/link/scenario.js';
import { conservation, simulate, type SimulationResult } from '../../src/link/simulate.js';
import { renderResult } from '../../src/link/report.js';
import { wireOctets } from '../../src/link/linerate.js';

/** A small scenario: one flow a -> b, the given SecY settings and actors. */
function run(actors: unknown[], secy: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): SimulationResult {
  return simulate(
    decodeScenario({
      seed: 9,
      link: { rate: '10G', cableMeters: 10 },
      secy: { cipherSuite: 'GCM-AES-128', ...secy },
      traffic: [{ from: 'a', frames: 400, size: 200, load: 0.5, payload: 'text' }],
      actors: { a: actors },
      ...extra,
    }),
  );
}
const ab = (r: SimulationResult) => r.directions['a->b'];

describe('each actor yields the counters 802.1AE predicts', () => {
  it('no actor: every frame InPktsOK, delivered once, in order', () => {
    const d = ab(run([]));
    expect(d.outcomes).toEqual({ InPktsOK: 400 });
    expect([d.deliveredUnique, d.lost, d.deliveredAgain, d.outOfOrder]).toEqual([400, 0, 0, 0]);
  });
  it('tamper with the secure data or the ICV: InPktsNotValid, never delivered (Strict)', () => {
    for (const field of ['payload', 'icv']) {
      const r = run([{ type: 'tamper', field, rate: 0.2 }]);
      const touched = r.actors[0]!.touched;
      expect(touched).toBeGreaterThan(40);
      expect(r.actors[0]!.fate).toEqual({ InPktsNotValid: touched });
      expect(ab(r).deliveredUnique).toBe(400 - touched);
    }
  });
  it('tamper with the SCI: the receiver has no SC for it (InPktsNoSCI)', () => {
    const r = run([{ type: 'tamper', field: 'sci', rate: 0.1 }]);
    expect(r.actors[0]!.fate).toEqual({ InPktsNoSCI: r.actors[0]!.touched });
  });
  it('tamper with the AN: no SA under that AN (InPktsNotUsingSA)', () => {
    const r = run([{ type: 'tamper', field: 'an', rate: 0.1 }]);
    expect(r.actors[0]!.fate).toEqual({ InPktsNotUsingSA: r.actors[0]!.touched });
  });
  it('replay with replayWindow 0: every copy InPktsLate', () => {
    const r = run([{ type: 'replay', rate: 0.1, window: 50 }]);
    expect(r.actors[0]!.fate).toEqual({ InPktsLate: r.actors[0]!.touched });
    expect(ab(r).deliveredAgain).toBe(0);
  });
  it('replay within a replayWindow is accepted again, as the standard says; older copies are late', () => {
    const r = run([{ type: 'replay', rate: 0.1, window: 200 }], { replayWindow: 32 });
    const fate = r.actors[0]!.fate;
    expect(fate['InPktsOK']).toBeGreaterThan(0);
    expect(fate['InPktsLate']).toBeGreaterThan(0);
    expect(ab(r).deliveredAgain).toBe(fate['InPktsOK']);
  });
  it('reorder by d places: late with replayWindow 0 or d, all delivered with d + 1 (lowestPN = nextPN - replayWindow)', () => {
    const strict = run([{ type: 'reorder', rate: 0.05, depth: 3 }]);
    expect(ab(strict).outcomes['InPktsLate']).toBe(strict.actors[0]!.touched);
    const short = run([{ type: 'reorder', rate: 0.05, depth: 3 }], { replayWindow: 3 });
    expect(ab(short).outcomes['InPktsLate']).toBeGreaterThan(0);
    const tolerant = run([{ type: 'reorder', rate: 0.05, depth: 3 }], { replayWindow: 4 });
    expect(ab(tolerant).outcomes).toEqual({ InPktsOK: 400 });
    expect(ab(tolerant).outOfOrder).toBeGreaterThan(0);
  });
  it('duplicate with replayWindow 0: the copy is InPktsLate', () => {
    const r = run([{ type: 'duplicate', rate: 0.1 }]);
    expect(r.actors[0]!.fate).toEqual({ InPktsLate: r.actors[0]!.touched });
  });
  it('drop: frames lost, no receive counter moves for them', () => {
    const r = run([{ type: 'drop', rate: 0.1 }]);
    expect(ab(r).lost).toBe(r.actors[0]!.touched);
    expect(ab(r).outcomes).toEqual({ InPktsOK: 400 - r.actors[0]!.touched });
  });
  it('corrupt: no corrupted frame is delivered; each lands in one counter', () => {
    const r = run([{ type: 'corrupt', rate: 0.2, bits: 1 }]);
    expect(r.actors[0]!.fate['InPktsOK'] ?? 0).toBe(0);
    expect(ab(r).deliveredUnique).toBe(400 - r.actors[0]!.touched);
  });
  it('jitter: frames overtaken by others are late with replayWindow 0', () => {
    const r = run([{ type: 'jitter', max: '2us' }]);
    expect(ab(r).outcomes['InPktsLate']).toBeGreaterThan(0);
  });
  it('inject under a wrong key: InPktsNotValid', () => {
    const r = run([{ type: 'inject', rate: 0.1 }]);
    expect(r.actors[0]!.fate).toEqual({ InPktsNotValid: r.actors[0]!.touched });
    expect(ab(r).deliveredUnique).toBe(400);
  });
  it('the tap sees only ciphertext with confidentiality, the text with integrity only', () => {
    const needle = Buffer.from('MACsec protects this sentence');
    const seen = (r: SimulationResult) => r.captures.wire.some((f) => Buffer.from(f.data).includes(needle));
    expect(seen(run([{ type: 'tap' }]))).toBe(false);
    expect(seen(run([{ type: 'tap' }], { confidentialityProtect: false }))).toBe(true);
  });
  it('every frame received lands in exactly one receive counter (conservation)', () => {
    const r = run([{ type: 'corrupt', rate: 0.1 }, { type: 'duplicate', rate: 0.1 }, { type: 'replay', rate: 0.1 }, { type: 'tamper', field: 'tci', rate: 0.1 }]);
    expect(conservation(r.counters.b).received).toBe(ab(r).arrived);
    expect(conservation(r.counters.a).transmitted).toBe(ab(r).offered);
  });
});

describe('determinism, rollover and line-rate arithmetic', () => {
  it('the same scenario and seed give identical pcap bytes; another seed other bytes', () => {
    const pcap = (seed: number) => {
      const r = run([{ type: 'corrupt', rate: 0.1 }, { type: 'reorder', rate: 0.1, depth: 2 }], {}, { seed });
      return Buffer.from(writePcap(r.captures.wire.map((f) => ({ data: f.data, timestampNs: BigInt(Math.round(f.atPs / 1000)) }))));
    };
    expect(pcap(5).equals(pcap(5))).toBe(true);
    expect(pcap(5).equals(pcap(6))).toBe(false);
  });
  it('a plain-suite run starting near PN 2^32 rolls over without losing a frame', () => {
    const r = simulate(builtinScenario('rollover'));
    expect(r.rekeys.length).toBeGreaterThanOrEqual(1);
    expect(ab(r).lost).toBe(0);
    expect(ab(r).outcomes).toEqual({ InPktsOK: 5000 });
    expect(r.counters.a['SimOutPktsPNExhausted']).toBe(0);
  });
  it('XPN crosses 2^32 with no rollover and no loss', () => {
    const r = simulate(builtinScenario('xpn-100g'));
    expect(r.rekeys).toEqual([]);
    expect(ab(r).outcomes).toEqual({ InPktsOK: 2000 });
  });
  it("xpn-100g: its lessons give the report's frames/s and PN lifetimes", () => {
    const r = simulate(builtinScenario('xpn-100g'));
    const b = r.pnBudget;
    const lessons = r.lessons.join(' ');
    expect(lessons).toContain(`${(b.framesPerSecond / 1e6).toFixed(1)} million times a second`);
    expect(lessons).toContain(`2^32 PNs last ${b.plainSeconds.toFixed(1)} s`);
    expect(lessons).toContain(`every ${(b.plainSeconds / 4).toFixed(1)} s at 400 Gbit/s`);
    expect(lessons).toContain(`2^64 / ${(b.framesPerSecond / 1e6).toFixed(1)}e6 per second = ${(b.xpnSeconds / (365.25 * 24 * 3600)).toLocaleString('en-US', { maximumFractionDigits: 0 })} years`);
  });
  it('at full load, goodput is what the line-rate arithmetic allows', () => {
    const r = simulate(
      decodeScenario({ link: { rate: '10G' }, secy: { alwaysIncludeSCI: true }, traffic: [{ from: 'a', frames: 20000, size: 64, load: 1 }] }),
    );
    const d = ab(r);
    // 64-octet frames take 84 octets on the wire, 84 + 32 with SecTAG+SCI and ICV: 64 of them are the frame.
    expect(d.macsecEfficiency).toBeCloseTo(64 / (84 + 32), 6);
    expect(d.goodputShare).toBeCloseTo((64 * 8) / (wireOctets(60 + 32) * 8), 2);
    // On the same basis: a full link reads full, goodput at the most MACsec allows.
    expect(d.goodputShare).toBeCloseTo(d.macsecEfficiency, 2);
    expect(d.macsecEfficiency + d.preambleShare + d.macsecShare).toBeCloseTo(1, 9);
    expect([d.preambleShare, d.macsecShare]).toEqual([20 / 116, 32 / 116].map((x) => expect.closeTo(x, 9)));
  });
  it('every built-in scenario runs and reports', () => {
    for (const s of BUILTIN_SCENARIOS) {
      const r = simulate(builtinScenario(s.name));
      expect(renderResult(r)).toMatch(new RegExp(`^scenario ${s.name}`));
    }
  });
  it('a bad scenario names the field', () => {
    expect(() => decodeScenario({ link: { rate: 'fast' } })).toThrow(/link\.rate: expected a line rate/);
    expect(() => decodeScenario({ actors: { a: [{ type: 'nuke' }] } })).toThrow(/actors\.a\[0\]\.type/);
    expect(() => decodeScenario({ secy: { validateFrames: 'lax' } })).toThrow(/secy\.validateFrames: expected Disabled, Check or Strict/);
    expect(() => decodeScenario({ secy: { replayWindw: 8 } })).toThrow(/secy\.replayWindw: expected one of the fields cipherSuite, .*, got an unknown field/);
    expect(() => decodeScenario({ actors: { a: [{ type: 'drop', rate: 0.1, depth: 3 }] } })).toThrow(/actors\.a\[0\]\.depth: expected one of the fields type, rate, burst/);
  });
});

describe('the report', () => {
  it('prints a timeline of the receive counters that moved, one row per sample', () => {
    const text = renderResult(run([{ type: 'tamper', field: 'icv', rate: 0.1 }], {}, { timeline: '10us' }));
    const lines = text.split('\n');
    const head = lines.findIndex((l) => l.startsWith('timeline'));
    expect(lines[head + 1]).toMatch(/^\s+time\s+b:InPktsOK\s+b:InPktsNotValid$/);
    const times = lines.slice(head + 2).filter((l) => /^\s+\d/.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '));
    expect(new Set(times).size).toBe(times.length);
  });
});
