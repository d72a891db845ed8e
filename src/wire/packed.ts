/**
 * Frames packed in one buffer: the shape bursts take through the crypto kernels, the SecY, captures and
 * the link model, so that nothing is allocated per frame. Frames may lie anywhere in `data`, with gaps
 * between them (a pcap record header, say), in any order; the caller owns every array.
 */
import { ConfigError, describe } from '../util/errors.js';

export interface PackedFrames {
  /** Over an ArrayBuffer, or a SharedArrayBuffer for threads. */
  readonly data: Uint8Array;
  /** Frame i starts at data[offsets[i]] ... */
  readonly offsets: Uint32Array;
  /** ... and is lengths[i] octets long. */
  readonly lengths: Uint32Array;
  count: number;
}

/** Room for `frames` frames of `octets` octets in all, count 0. */
export function packedFrames(frames: number, octets: number): PackedFrames {
  return { data: new Uint8Array(octets), offsets: new Uint32Array(frames), lengths: new Uint32Array(frames), count: 0 };
}

/** Frame i of `p` as a view (no copy): for tests and the general path, not per frame on a hot path. */
export function packedFrame(p: PackedFrames, i: number): Uint8Array {
  return p.data.subarray(p.offsets[i], p.offsets[i]! + p.lengths[i]!);
}

/** Appends a copy of `frame` at `at` in `p` (room checked); returns the offset after it. */
export function appendPacked(p: PackedFrames, frame: Uint8Array, at: number): number {
  if (at + frame.length > p.data.length) throw new ConfigError('data', `room for ${at + frame.length} octets`, describe(p.data));
  p.data.set(frame, at);
  p.offsets[p.count] = at;
  p.lengths[p.count] = frame.length;
  p.count++;
  return at + frame.length;
}

/**
 * Checks that `p` is a PackedFrames with arrays for `first + count` frames and every one of those input
 * frames inside `data`; `name` says which argument in the error.
 */
export function checkPackedFrames(name: string, p: PackedFrames, first: number, count: number, frames: boolean): void {
  if (!(p.data instanceof Uint8Array)) throw new ConfigError(`${name}.data`, 'a Uint8Array', describe(p.data));
  if (!(p.offsets instanceof Uint32Array)) throw new ConfigError(`${name}.offsets`, 'a Uint32Array', describe(p.offsets));
  if (!(p.lengths instanceof Uint32Array)) throw new ConfigError(`${name}.lengths`, 'a Uint32Array', describe(p.lengths));
  const end = first + count;
  if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0) throw new ConfigError(`${name} range`, 'whole frame numbers', `${String(first)}+${String(count)}`);
  if (p.offsets.length < end || p.lengths.length < end) {
    throw new ConfigError(`${name}.offsets/lengths`, `entries for frames up to ${end}`, `${p.offsets.length}/${p.lengths.length}`);
  }
  if (!frames) return;
  for (let i = first; i < end; i++) {
    if (p.offsets[i]! + p.lengths[i]! > p.data.length) {
      throw new ConfigError(`${name} frame ${i}`, `inside data (${p.data.length} octets)`, `octets ${p.offsets[i]!} to ${p.offsets[i]! + p.lengths[i]!}`);
    }
  }
}
