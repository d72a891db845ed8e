/** Test helper: hand-assembles pcap and pcapng files octet by octet, in either byte order. */
export { concatBytes as concat } from '../../src/util/hex.js';
import { expect } from 'vitest';
import { CaptureError, type ByteSource, type CaptureErrorCode } from '../../src/capture/index.js';

/** A source handing out at most `step` octets a read, as a pipe might. */
export function source(bytes: Uint8Array, step: number): ByteSource {
  let at = 0;
  return {
    read: async (into, offset, length) => {
      const n = Math.min(length, step, bytes.length - at);
      into.set(bytes.subarray(at, at + n), offset);
      at += n;
      return n;
    },
  };
}

export class Builder {
  private readonly out: number[] = [];
  constructor(readonly littleEndian = true) {}

  get length(): number {
    return this.out.length;
  }
  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.out.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.out.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u64(v: bigint): this {
    const hi = Number(BigInt.asUintN(64, v) >> 32n);
    const lo = Number(BigInt.asUintN(64, v) & 0xffffffffn);
    return this.littleEndian ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: Uint8Array | readonly number[]): this {
    for (const v of b) this.out.push(v);
    return this;
  }
  /** Zeros up to the next multiple of four. */
  pad(): this {
    while (this.out.length % 4 !== 0) this.out.push(0);
    return this;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** A frame of `length` octets: broadcast DA, a fixed SA, EtherType 0x88B5 (local experimental), counting payload. */
export function frame(length: number, seed = 0): Uint8Array {
  const f = new Uint8Array(length);
  f.fill(0xff, 0, 6);
  f.set([0x02, 0x00, 0x00, 0x00, 0x00, 0x01], 6);
  f.set([0x88, 0xb5], 12);
  for (let i = 14; i < length; i++) f[i] = (i + seed) & 0xff;
  return f;
}

// pcapng

export interface OptionSpec {
  readonly code: number;
  readonly value: Uint8Array | readonly number[];
}

/** A block with correct lengths; `body` writes what lies between the two length fields. */
export function block(le: boolean, type: number, body: (b: Builder) => void, trailerDelta = 0): Uint8Array {
  const inner = new Builder(le);
  body(inner);
  inner.pad();
  const length = 12 + inner.length;
  return new Builder(le).u32(type).u32(length).bytes(inner.build()).u32(length + trailerDelta).build();
}

export function options(b: Builder, opts: readonly OptionSpec[]): void {
  if (opts.length === 0) return;
  for (const o of opts) b.u16(o.code).u16(o.value.length).bytes(o.value).pad();
  b.u32(0); // opt_endofopt
}

export const shb = (le: boolean, major = 1): Uint8Array =>
  block(le, 0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(major).u16(0).u64(-1n));

export const idb = (le: boolean, linkType: number, snapLength: number, opts: readonly OptionSpec[] = []): Uint8Array =>
  block(le, 1, (b) => {
    b.u16(linkType).u16(0).u32(snapLength);
    options(b, opts);
  });

export interface EpbSpec {
  readonly interfaceId: number;
  readonly units: bigint;
  readonly data: Uint8Array;
  readonly originalLength?: number;
  readonly options?: readonly OptionSpec[];
}

export const epb = (le: boolean, p: EpbSpec): Uint8Array =>
  block(le, 6, (b) => {
    b.u32(p.interfaceId).u32(Number(p.units >> 32n)).u32(Number(p.units & 0xffffffffn));
    b.u32(p.data.length).u32(p.originalLength ?? p.data.length).bytes(p.data).pad();
    options(b, p.options ?? []);
  });

export const spb = (le: boolean, originalLength: number, data: Uint8Array): Uint8Array =>
  block(le, 3, (b) => b.u32(originalLength).bytes(data).pad());

// pcap

export function pcapHeader(le: boolean, opts: { nanoseconds?: boolean; snapLength?: number; linkType?: number; major?: number } = {}): Uint8Array {
  return new Builder(le)
    .u32(opts.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(opts.major ?? 2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(opts.snapLength ?? 65535)
    .u32(opts.linkType ?? 1)
    .build();
}

export function pcapRecord(le: boolean, seconds: number, fraction: number, data: Uint8Array, originalLength = data.length): Uint8Array {
  return new Builder(le).u32(seconds).u32(fraction).u32(data.length).u32(originalLength).bytes(data).build();
}

/** Runs `fn`, expecting a CaptureError of `code` at `offset` whose message states that offset. */
export function expectCaptureError(fn: () => unknown, code: CaptureErrorCode, offset: number, message?: RegExp): CaptureError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CaptureError);
  const error = caught as CaptureError;
  expect({ code: error.code, offset: error.offset }).toEqual({ code, offset });
  expect(error.message).toContain(`offset ${offset}`);
  if (message) expect(error.message).toMatch(message);
  return error;
}
