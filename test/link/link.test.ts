import { describe, expect, it } from 'vitest';
import { Corrupt, Drop, Duplicate, Jitter, Reorder, Replay, Tamper, Tap, type WireActor } from '../../src/link/actors.js';
import { Clock, parseDuration, PS_PER_MS, PS_PER_NS } from '../../src/link/clock.js';
import { Link, type Arrival, type Endpoint } from '../../src/link/link.js';
import { maxFrameRate, serializationPs, wireOctets } from '../../src/link/linerate.js';
import { Rng } from '../../src/util/rng.js';
import { buildFrame, frameSize, IMIX_MEAN, readTrafficHeader } from '../../src/link/traffic.js';

const passThrough: Endpoint = {
  transmit: (frame) => ({ frame }),
  receive: (frame) => ({ port: 'controlled', frame }),
};

function run(actors: WireActor[], frames = 200, seed = 7) {
  const clock = new Clock();
  const rng = new Rng(seed);
  const arrivals: Arrival[] = [];
  const touches: string[] = [];
  const link = new Link(clock, { a: passThrough, b: passThrough }, { rate: 10e9, cableMeters: 100, queueFrames: 1000 }, { a: actors, b: [] }, rng, {
    onArrival: (a) => arrivals.push(a),
    onTouch: (actor, f, action) => touches.push(`${actor} ${f.id} ${action}`),
  });
  const da = new Uint8Array([2, 0, 0, 0, 0, 2]);
  const sa = new Uint8Array([2, 0, 0, 0, 0, 1]);
  for (let i = 0; i < frames; i++) {
    clock.at(i * 100 * PS_PER_NS, () => link.offer('a', buildFrame({ da, sa, size: 128, sequence: i, sentAt: clock.now, payload: 'counter' }, rng)));
  }
  clock.run();
  link.flush();
  clock.run();
  const seqs = arrivals.flatMap((a) => readTrafficHeader(a.frame.bytes)?.sequence ?? []);
  return { arrivals, touches, seqs, clock };
}

describe('line-rate arithmetic (802.3)', () => {
  it('gives the textbook frame rates: 14.88 Mfps at 64 octets on 10GbE, 812.7 kfps at 1518', () => {
    expect(maxFrameRate(60, 10e9)).toBeCloseTo(14_880_952.38, 1);
    expect(maxFrameRate(1514, 10e9)).toBeCloseTo(812_743.8, 1);
    expect(wireOctets(10)).toBe(84); // padded to 64 on the wire
  });
  it('serialises a 64-octet frame in 67.2 ns at 10 Gbit/s and 5.12 ns... at 100 Gbit/s 6.72 ns', () => {
    expect(serializationPs(60, 10e9)).toBe(67_200);
    expect(serializationPs(60, 100e9)).toBe(6_720);
  });
  it('parses durations', () => {
    expect(parseDuration('2.5us')).toBe(2_500_000);
    expect(parseDuration('10ms')).toBe(10 * PS_PER_MS);
    expect(() => parseDuration('ten')).toThrow(/duration/);
  });
});

describe('clock and random streams', () => {
  it('runs events in time order, same-time events in scheduling order', () => {
    const c = new Clock();
    const order: string[] = [];
    c.at(5, () => order.push('b'));
    c.at(1, () => order.push('a'));
    c.at(5, () => order.push('c'));
    c.run();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(() => c.at(2, () => undefined)).toThrow(/past/);
  });
  it('the same seed gives the same stream, another seed another', () => {
    const draw = (seed: number) => Array.from({ length: 8 }, ((r) => () => r.u32())(new Rng(seed)));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });
  it('IMIX draws 7:4:1 of 64, 576, 1518 octets', () => {
    const rng = new Rng(3);
    const sizes = Array.from({ length: 12_000 }, (_, i) => frameSize('imix', i, rng));
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(Math.abs(mean - IMIX_MEAN) / IMIX_MEAN).toBeLessThan(0.05);
    expect(new Set(sizes)).toEqual(new Set([64, 576, 1518]));
  });
});

describe('the wire', () => {
  it('delivers every frame, in order, after serialisation plus propagation', () => {
    const { arrivals, seqs } = run([], 10);
    expect(seqs).toEqual([...Array(10).keys()]);
    // 128-octet frame: 148 octets on the wire at 10G = 118.4 ns, plus 100 m x 5 ns/m.
    expect(arrivals[0]!.at).toBe(118_400 + 500_000);
  });
  it('queues back-to-back frames at the line rate', () => {
    const clock = new Clock();
    const times: number[] = [];
    const link = new Link(clock, { a: passThrough, b: passThrough }, { rate: 1e9, cableMeters: 0, queueFrames: 3 }, { a: [], b: [] }, new Rng(1), {
      onArrival: (a) => times.push(a.at),
    });
    const refused: string[] = [];
    const l2 = new Link(clock, { a: passThrough, b: passThrough }, { rate: 1e9, cableMeters: 0, queueFrames: 1 }, { a: [], b: [] }, new Rng(1), {
      onRefused: (_s, reason) => refused.push(reason),
    });
    for (let i = 0; i < 3; i++) link.offer('a', new Uint8Array(60));
    for (let i = 0; i < 3; i++) l2.offer('a', new Uint8Array(60));
    clock.run();
    expect(times).toEqual([672_000, 1_344_000, 2_016_000]);
    expect(refused).toEqual(['queue full']);
  });
  it('the tap sees everything and changes nothing', () => {
    const tap = new Tap();
    const { seqs } = run([tap], 50);
    expect(tap.seen).toHaveLength(50);
    expect(seqs).toHaveLength(50);
  });
  it('drop loses about its rate, and bursts in a row', () => {
    expect(200 - run([new Drop(0.25)]).seqs.length).toBeGreaterThan(30);
    const bursty = run([new Drop(0, { length: 3, every: 50 })]).seqs;
    expect(200 - bursty.length).toBe(10); // frames 49-51, 99-101, 149-151 and 199
    expect(bursty).not.toContain(49);
    expect(bursty).not.toContain(51);
    expect(bursty).toContain(52);
  });
  it('duplicate sends copies with their own ids', () => {
    const { seqs, arrivals } = run([new Duplicate(0.5)]);
    expect(seqs.length).toBeGreaterThan(250);
    expect(arrivals.filter((a) => a.frame.madeBy === 'duplicate').length).toBe(seqs.length - 200);
  });
  it('reorder holds frames back by its depth, losing none', () => {
    const { seqs } = run([new Reorder(0.1, 3)]);
    expect([...seqs].sort((a, b) => a - b)).toEqual([...Array(200).keys()]);
    expect(seqs).not.toEqual([...Array(200).keys()]);
  });
  it('jitter delays frames so some overtake others', () => {
    const { seqs } = run([new Jitter(1_000_000)]);
    expect(seqs).toHaveLength(200);
    expect(seqs).not.toEqual([...Array(200).keys()]);
  });
  it('corrupt flips the bits it says it flipped', () => {
    const { touches } = run([new Corrupt(1, 2)], 5);
    expect(touches).toHaveLength(5);
    expect(touches[0]).toMatch(/^corrupt \d+ flipped bits \d+, \d+$/);
  });
  it('replay re-sends recorded frames', () => {
    const { arrivals } = run([new Replay(0.2, 16)]);
    const replays = arrivals.filter((a) => a.frame.madeBy === 'replay');
    expect(replays.length).toBeGreaterThan(10);
  });
  it('tamper changes an unprotected frame too, and says so', () => {
    const { touches } = run([new Tamper('icv', 1)], 3);
    expect(touches[0]).toMatch(/no SecTAG/);
  });
  it('the same seed gives identical runs', () => {
    const actors = () => [new Drop(0.1), new Duplicate(0.1), new Reorder(0.1, 4), new Corrupt(0.1)];
    expect(run(actors(), 300, 42).touches).toEqual(run(actors(), 300, 42).touches);
    expect(run(actors(), 300, 42).touches).not.toEqual(run(actors(), 300, 43).touches);
  });
});
