/**
 * A discrete-event clock. Time is an integer number of picoseconds (one octet at 400 Gbit/s is 20 ps),
 * exact up to 2^53 ps, about 2.5 hours of simulated time. Events at the same time run in the order
 * they were scheduled, so a run is deterministic.
 */
export const PS_PER_NS = 1_000;
export const PS_PER_US = 1_000_000;
export const PS_PER_MS = 1_000_000_000;
export const PS_PER_S = 1_000_000_000_000;

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class Clock {
  private heap: Event[] = [];
  private seq = 0;
  private current = 0;

  /** The current time, in picoseconds. */
  get now(): number {
    return this.current;
  }

  get pending(): number {
    return this.heap.length;
  }

  at(time: number, run: () => void): void {
    if (time < this.current) throw new RangeError(`cannot schedule in the past (${time} < ${this.current})`);
    this.push({ at: Math.round(time), seq: this.seq++, run });
  }

  after(delay: number, run: () => void): void {
    this.at(this.current + delay, run);
  }

  /** Runs events until none is left, `until` is reached or `stop()` returns true; returns the events run. */
  run(until = Number.MAX_SAFE_INTEGER, stop: () => boolean = () => false): number {
    let count = 0;
    while (this.heap.length > 0 && this.heap[0]!.at <= until && !stop()) {
      const e = this.pop();
      this.current = e.at;
      e.run();
      count++;
    }
    // Time runs on to `until` when the run ended there rather than running out of events.
    if (until !== Number.MAX_SAFE_INTEGER && !stop()) this.current = Math.max(this.current, until);
    return count;
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Event {
    const h = this.heap;
    const top = h[0]!;
    const last = h[h.length - 1]!;
    h.length--;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
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
