/**
 * Which sequence numbers (or frame ids) are in: one bit each, over the span from the lowest to the highest id in
 * it (a set whose ids come and go, as the frames on the wire, stays as small as that window; one that keeps
 * every id costs 1 bit per frame, not a Set entry).
 */
export class SequenceSet {
  private bits = new Uint32Array(1024);
  /** The word bits[0] holds: the words below it were all clear when the set last made room, and are not kept. */
  private base = 0;
  size = 0;
  /** How many ids the set has room for now, from its lowest word: what it costs, 1 bit each. */
  get capacity(): number {
    return this.bits.length * 32;
  }
  has(n: number): boolean {
    const w = (n >>> 5) - this.base;
    return w >= 0 && w < this.bits.length && (this.bits[w]! & (1 << (n & 31))) !== 0;
  }
  add(n: number): void {
    if (this.has(n)) return;
    let w = (n >>> 5) - this.base;
    if (w < 0 || w >= this.bits.length) w = this.room(n >>> 5);
    this.bits[w]! |= 1 << (n & 31);
    this.size++;
  }
  delete(n: number): void {
    if (!this.has(n)) return;
    this.bits[(n >>> 5) - this.base]! &= ~(1 << (n & 31));
    this.size--;
  }
  /**
   * Room for word `word`, which lies outside the words held: the clear words at either end are let go (ids
   * taken out, as frames leave the wire), so the set spans only what it holds; returns the word's index.
   */
  private room(word: number): number {
    const { bits, base } = this;
    let lo = 0;
    while (lo < bits.length && bits[lo] === 0) lo++;
    let hi = bits.length - 1;
    while (hi >= lo && bits[hi] === 0) hi--;
    const from = lo <= hi ? Math.min(word, base + lo) : word;
    const to = lo <= hi ? Math.max(word, base + hi) : word;
    let length = bits.length;
    while (length < to - from + 1) length *= 2;
    const next = new Uint32Array(length);
    if (lo <= hi) next.set(bits.subarray(lo, hi + 1), base + lo - from);
    this.bits = next;
    this.base = from;
    return word - from;
  }
}
