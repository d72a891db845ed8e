/**
 * A discrete-event clock. Time is an integer number of picoseconds (one octet at 400 Gbit/s is 20 ps),
 * exact up to 2^53 ps, about 2.5 hours of simulated time. Events at the same time run in the order
 * they were scheduled, so a run is deterministic.
 */
export const PS_PER_NS = 1_000;
export const PS_PER_US = 1_000_000;
export const PS_PER_MS = 1_000_000_000;
export const PS_PER_S = 1_000_000_000_000;

/** An event kind's handler: called with the event's argument (an index the kind's owner keeps). */
export type EventHandler = (arg: number) => void;

/** Closures scheduled with `at`/`after`: a barrier or not (see `kind`). */
const CALL = 0;
const CALL_BARRIER = 1;

/**
 * The queue is a binary heap over parallel typed arrays (time, sequence, kind, argument), so an event is
 * four numbers, not an object: the link's per-frame events are kinds with an index as argument; other
 * events are closures, kept in a slot table until they run.
 */
export class Clock {
  private times = new Float64Array(64);
  private seqs = new Float64Array(64);
  private kinds = new Uint16Array(64);
  private args = new Int32Array(64);
  private size = 0;
  private seq = 0;
  private current = 0;
  private readonly handlers: EventHandler[] = [];
  private readonly barrierKinds: boolean[] = [false, true];
  private readonly calls: ((() => void) | undefined)[] = [];
  private readonly freeCalls: number[] = [];
  /** Called before each barrier event runs (see `kind`). */
  beforeBarrier: (() => void) | undefined = undefined;

  constructor() {
    const runCall = (slot: number): void => {
      const run = this.calls[slot]!;
      this.calls[slot] = undefined;
      this.freeCalls.push(slot);
      run();
    };
    this.handlers.push(runCall, runCall);
  }

  /** The current time, in picoseconds. */
  get now(): number {
    return this.current;
  }

  get pending(): number {
    return this.size;
  }

  /**
   * A new event kind. A barrier kind is one whose events may change or look at state that others batch
   * ahead of time: `beforeBarrier` runs first, and `firstTime` finds them.
   */
  kind(handler: EventHandler, barrier = false): number {
    this.handlers.push(handler);
    this.barrierKinds.push(barrier);
    return this.handlers.length - 1;
  }

  /** Whether events of `kind` are barriers. */
  isBarrier(kind: number): boolean {
    return this.barrierKinds[kind] === true;
  }

  at(time: number, run: () => void, barrier = false): void {
    const slot = this.freeCalls.pop() ?? this.calls.length;
    this.calls[slot] = run;
    this.atKind(time, barrier ? CALL_BARRIER : CALL, slot);
  }

  after(delay: number, run: () => void, barrier = false): void {
    this.at(this.current + delay, run, barrier);
  }

  /** An event of `kind` with `arg` at `time`. */
  atKind(time: number, kind: number, arg: number): void {
    if (time < this.current) throw new RangeError(`cannot schedule in the past (${time} < ${this.current})`);
    this.push(Math.round(time), kind, arg);
  }

  afterKind(delay: number, kind: number, arg: number): void {
    this.atKind(this.current + delay, kind, arg);
  }

  /** The earliest time of a pending event `match` accepts (Infinity when none): a look over the whole queue. */
  firstTime(match: (kind: number, arg: number) => boolean): number {
    let first = Infinity;
    const { times, kinds, args } = this;
    for (let i = 0; i < this.size; i++) if (times[i]! < first && match(kinds[i]!, args[i]!)) first = times[i]!;
    return first;
  }

  /** Runs events until none is left, `until` is reached or `stop()` returns true; returns the events run. */
  run(until = Number.MAX_SAFE_INTEGER, stop: () => boolean = () => false): number {
    let count = 0;
    while (this.size > 0 && this.times[0]! <= until && !stop()) {
      const kind = this.kinds[0]!;
      const arg = this.args[0]!;
      this.current = this.times[0]!;
      this.pop();
      if (this.barrierKinds[kind] === true) this.beforeBarrier?.();
      this.handlers[kind]!(arg);
      count++;
    }
    // Time runs on to `until` when the run ended there rather than running out of events.
    if (until !== Number.MAX_SAFE_INTEGER && !stop()) this.current = Math.max(this.current, until);
    return count;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    const seqs = new Float64Array(n);
    const kinds = new Uint16Array(n);
    const args = new Int32Array(n);
    times.set(this.times);
    seqs.set(this.seqs);
    kinds.set(this.kinds);
    args.set(this.args);
    this.times = times;
    this.seqs = seqs;
    this.kinds = kinds;
    this.args = args;
  }

  // Same time: the one scheduled first runs first (the sequence number), so a run is deterministic.
  private push(time: number, kind: number, arg: number): void {
    if (this.size === this.times.length) this.grow();
    const seq = this.seq++;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.before(p, time, seq)) break;
      this.move(i, p);
      i = p;
    }
    this.put(i, time, seq, kind, arg);
  }

  /** Removes the first event (the caller has read it). */
  private pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const { times, seqs } = this;
    const time = times[n]!, seq = seqs[n]!, kind = this.kinds[n]!, arg = this.args[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const m = l + 1 < n && this.before(l + 1, times[l]!, seqs[l]!) ? l + 1 : l;
      if (!this.before(m, time, seq)) break;
      this.move(i, m);
      i = m;
    }
    this.put(i, time, seq, kind, arg);
  }

  /** Whether the event in slot i runs before one at `time` scheduled as `seq`. */
  private before(i: number, time: number, seq: number): boolean {
    const t = this.times[i]!;
    return t < time || (t === time && this.seqs[i]! < seq);
  }

  private move(to: number, from: number): void {
    this.times[to] = this.times[from]!;
    this.seqs[to] = this.seqs[from]!;
    this.kinds[to] = this.kinds[from]!;
    this.args[to] = this.args[from]!;
  }

  private put(i: number, time: number, seq: number, kind: number, arg: number): void {
    this.times[i] = time;
    this.seqs[i] = seq;
    this.kinds[i] = kind;
    this.args[i] = arg;
  }
}

/** "10ms", "2.5us", "100ns", "1s", "3000ps" or a number of picoseconds. */
export function parseDuration(value: string | number, field = 'duration'): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value);
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ps|ns|us|µs|ms|s)\s*$/.exec(value) : null;
  if (!m) throw new RangeError(`${field}: expected a duration like "10ms", "2.5us" or "100ns", got ${JSON.stringify(value)}`);
  const unit = { ps: 1, ns: PS_PER_NS, us: PS_PER_US, µs: PS_PER_US, ms: PS_PER_MS, s: PS_PER_S }[m[2] as 'ps'];
  return Math.round(parseFloat(m[1]!) * unit);
}

export function formatDuration(ps: number): string {
  if (ps >= PS_PER_S) return `${(ps / PS_PER_S).toFixed(3)} s`;
  if (ps >= PS_PER_MS) return `${(ps / PS_PER_MS).toFixed(3)} ms`;
  if (ps >= PS_PER_US) return `${(ps / PS_PER_US).toFixed(3)} µs`;
  if (ps >= PS_PER_NS) return `${(ps / PS_PER_NS).toFixed(1)} ns`;
  return `${ps} ps`;
}
