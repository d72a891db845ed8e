/** Captures and SA files for the run tests, built in memory: no CLI, no files unless a test writes one. */
import type { Capture, CaptureRecord, FrameTimes, WritableRecord } from '../../src/capture/index.js';
import type { RecordSink } from '../../src/runs/capture-run.js';
import type { PackedFrames } from '../../src/wire/packed.js';
import { decodeSaFile, type SaFile } from '../../src/config/sa-file.js';
import { toHex } from '../../src/util/hex.js';
import { ethFrame, key, SCI_A } from '../secy/helpers.js';

/** 2026-01-01T00:00:00Z in nanoseconds. */
export const T0 = 1_767_225_600_000_000_000n;

/** One SA in both directions (protect then validate with the same file round-trips). */
export const oneSa = (extra: Record<string, unknown> = {}): SaFile =>
  decodeSaFile({ cipherSuite: 'GCM-AES-128', key: toHex(key('GCM-AES-128', 1)), sci: toHex(SCI_A), an: 1, pn: '100', ...extra });

/** A record as a reader returns it; `truncated` keeps only the first half of the frame. */
export function record(data: Uint8Array, timestampNs: bigint, options: { truncated?: boolean } = {}): CaptureRecord {
  const kept = options.truncated ? data.slice(0, data.length >> 1) : data;
  return { data: kept, timestampNs, originalLength: data.length, interfaceId: 0, fcs: 'none', truncated: kept.length < data.length };
}

export const capture = (records: readonly CaptureRecord[], format: Capture['format'] = 'pcap'): Capture => ({ format, linkType: 1, interfaces: [], records });

/** `n` plain frames of growing payloads, 1 ms apart (1 ns more for every third with `ns`). */
export function plainCapture(n: number, ns = false): Capture {
  return capture(Array.from({ length: n }, (_, i) => record(ethFrame(46 + i, i), T0 + BigInt(i) * 1_000_000n + (ns && i % 3 === 0 ? 1n : 0n))));
}

/** A progress factory that remembers what it was told. */
export function recordingProgress(): { calls: { frames: number; updates: number[]; done: number }[]; progress: (frames: number) => { update: (d: number) => void; done: () => void } } {
  const calls: { frames: number; updates: number[]; done: number }[] = [];
  return {
    calls,
    progress: (frames) => {
      const call = { frames, updates: [] as number[], done: 0 };
      calls.push(call);
      return { update: (d) => call.updates.push(d), done: () => void call.done++ };
    },
  };
}

/** A run's sink that keeps copies of the records it is given, as a capture writer would write them. */
export function recordingSink(out: WritableRecord[]): RecordSink {
  return {
    writePacked: async (frames: PackedFrames, times: FrameTimes, order?: Uint32Array) => {
      for (let k = 0; k < frames.count; k++) {
        const from = frames.offsets[k]!;
        const length = frames.lengths[k]!;
        if (length > 0) out.push({ data: frames.data.slice(from, from + length), timestampNs: times.timestampNs(order === undefined ? k : order[k]!) });
      }
    },
  };
}
