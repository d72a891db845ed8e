/**
 * Latencies in fixed memory: count, sum, min and max exact; quantiles exact while the samples fit a small
 * buffer, then from log-linear buckets (each power of two split in 256), so a quantile is a bucket's lower
 * bound, below the true value by less than 1/256 of it (0.4 %).
 */
const SUB_BITS = 8;
const SUBS = 1 << SUB_BITS;
/** Integers up to 2^53 (picoseconds: 104 days). */
const BUCKETS = 54 * SUBS;
/** Samples kept exactly before the buckets take over. */
export const EXACT_SAMPLES = 4096;

export class LatencyHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private exact: number[] | undefined = [];
  private readonly buckets = new Float64Array(BUCKETS);

  /** Adds a non-negative integer sample. */
  add(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.buckets[bucketOf(v)]!++;
    if (this.exact !== undefined) {
      if (this.exact.length < EXACT_SAMPLES) this.exact.push(v);
      else this.exact = undefined;
    }
  }

  /** The sample of rank floor(count * q) (0-based) in sorted order, as `sorted[min(count - 1, floor(count * q))]`. */
  quantile(q: number): number {
    const rank = Math.min(this.count - 1, Math.floor(this.count * q));
    if (this.exact !== undefined) return [...this.exact].sort((x, y) => x - y)[rank]!;
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.buckets[b]!;
      if (seen > rank) return Math.max(this.min, Math.min(this.max, lowerBound(b)));
    }
    return this.max;
  }
}

function bucketOf(v: number): number {
  if (v < SUBS) return v;
  let e: number;
  if (v < 2 ** 32) e = 31 - Math.clz32(v);
  else {
    e = Math.floor(Math.log2(v));
    if (2 ** e > v) e--; // log2 rounded up just below a power of two
    else if (2 ** (e + 1) <= v) e++;
  }
  const sub = (v < 2 ** 32 ? v >>> (e - SUB_BITS) : Math.floor(v / 2 ** (e - SUB_BITS))) - SUBS;
  return (e - SUB_BITS + 1) * SUBS + sub;
}

function lowerBound(b: number): number {
  if (b < SUBS) return b;
  const e = Math.floor(b / SUBS) + SUB_BITS - 1;
  return (SUBS + (b % SUBS)) * 2 ** (e - SUB_BITS);
}
