/**
 * The link model at scale: latencies in a fixed-size histogram, a duration that ends a run is not an early
 * stop, frames still on the wire then are in flight (not lost), and captures are handed out, not kept.
 */
import { describe, expect, it } from 'vitest';
import { LatencyHistogram, EXACT_SAMPLES } from '../../src/link/histogram.js';
import { decodeScenario } from '../../src/link/scenario.js';
import { MAX_TIMELINE_POINTS, simulationSteps, type SimulationSummary } from '../../src/link/simulate.js';
import { Rng } from '../../src/util/rng.js';

/** The oracle: sort every sample and index it as the report defines a quantile. */
const exactQuantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

describe('LatencyHistogram', () => {
  it(`exact up to ${EXACT_SAMPLES} samples: every quantile, min, mean and max`, () => {
    const rng = new Rng(3);
    const xs = Array.from({ length: EXACT_SAMPLES }, () => rng.u32() % 5_000_000);
    const h = new LatencyHistogram();
    for (const x of xs) h.add(x);
    for (const q of [0, 0.5, 0.99, 1]) expect(h.quantile(q)).toBe(exactQuantile(xs, q));
    expect([h.min, h.max, h.sum]).toEqual([Math.min(...xs), Math.max(...xs), xs.reduce((a, b) => a + b, 0)]);
  });

  it('beyond that, p50 and p99 at most 1/256 below the true value, never above; min, sum and max exact', () => {
    const rng = new Rng(5);
    // Spread over many powers of two (100 ps to ~1 s in picoseconds).
    const xs = Array.from({ length: 50_000 }, () => Math.floor(100 * 2 ** ((rng.u32() / 2 ** 32) * 33)));
    const h = new LatencyHistogram();
    for (const x of xs) h.add(x);
    for (const q of [0.5, 0.99]) {
      const exact = exactQuantile(xs, q);
      expect(h.quantile(q)).toBeLessThanOrEqual(exact);
      expect(h.quantile(q)).toBeGreaterThanOrEqual(exact * (1 - 1 / 256));
    }
    expect([h.min, h.max, h.sum]).toEqual([Math.min(...xs), Math.max(...xs), xs.reduce((a, b) => a + b, 0)]);
  });
});

function runToEnd(doc: Record<string, unknown>, capture?: (name: string) => void): SimulationSummary {
  const steps = simulationSteps(decodeScenario(doc), capture ? { capture } : {});
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

describe('a run that its duration ends', () => {
  // 1G, 1500-octet frames at full load: 12.3 us each, so 10 000 frames need 123 ms; the run lasts 1 ms.
  const doc = {
    seed: 1,
    link: { rate: '1G', cableMeters: 2000 },
    secy: { cipherSuite: 'GCM-AES-128' },
    traffic: [{ from: 'a', frames: 10_000, size: 1500, load: 1 }],
    duration: '1ms',
  };

  it('is not stopped early; frames queued or on the wire are in flight, not lost', () => {
    const r = runToEnd(doc);
    const d = r.directions['a->b'];
    expect(r.stoppedEarly).toBe(false);
    expect(d.lost).toBe(0);
    expect(d.inFlight).toBeGreaterThan(0);
    // Every offered frame is delivered, or still in flight (a clean link loses none).
    expect(d.deliveredUnique + d.inFlight).toBe(d.offered);
  });

  it('hands each captured frame to the capture option as it goes, and reports only counts', () => {
    const seen: Record<string, number> = {};
    const r = runToEnd(doc, (name) => void (seen[name] = (seen[name] ?? 0) + 1));
    expect(r.captures).toEqual({ wire: 0, 'a-sent': 0, 'a-received': 0, 'b-sent': 0, 'b-received': 0, ...seen });
    expect(r.captures['b-received']).toBe(r.directions['a->b'].deliveredUnique);
  });
});

describe('the counter timeline', () => {
  it(`stays within ${MAX_TIMELINE_POINTS} + 1 points however long the run, evenly spread from time 0`, () => {
    const r = runToEnd({
      seed: 1,
      link: { rate: '1G', cableMeters: 10 },
      secy: { cipherSuite: 'GCM-AES-128' },
      traffic: [{ from: 'a', frames: 3000, size: 64, load: 1 }],
      timeline: '10ns',
    });
    expect(r.timeline.length).toBeLessThanOrEqual(MAX_TIMELINE_POINTS + 2);
    expect(r.timeline.length).toBeGreaterThan(MAX_TIMELINE_POINTS / 4);
    expect(r.timeline[0]!.atPs).toBe(0);
    const steps = r.timeline.slice(1, -1).map((p, i) => p.atPs - r.timeline[i]!.atPs);
    expect(new Set(steps).size).toBe(1);
  });
});
