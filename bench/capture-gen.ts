/**
 * Seeded captures for the capture benchmarks and the flat-memory test: IPv4/UDP frames (no FCS) of sizes
 * drawn uniformly from a range, written as a microsecond pcap a burst at a time (frames packed in one
 * reused buffer, see PcapFileWriter.writePacked), so a capture of any length costs no more memory than one
 * burst of frames.
 */
import { PcapFileWriter, type FrameTimes } from '../src/capture/index.js';
import { Rng } from '../src/util/rng.js';
import { packedFrames } from '../src/wire/packed.js';

const ETHERTYPE_IPV4 = 0x0800;
const IPV4_HEADER = 20;
const UDP_HEADER = 8;
const ETHERNET_HEADER = 14;
const BURST = 1024;
/** 2023-11-14T22:13:20Z, the first frame's time. */
const T0_SECONDS = 1_700_000_000;

/** One frame of `length` octets at f[at..]: addresses, IPv4 header with its checksum, UDP header, payload from `rng`. */
function udpFrame(f: Uint8Array, at: number, length: number, rng: Rng): void {
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, ETHERTYPE_IPV4 >> 8, ETHERTYPE_IPV4 & 0xff], at);
  const ip = at + ETHERNET_HEADER;
  const ipLength = length - ETHERNET_HEADER;
  f.set([0x45, 0, ipLength >> 8, ipLength & 0xff, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], ip);
  let sum = 0;
  for (let i = 0; i < IPV4_HEADER; i += 2) sum += (f[ip + i]! << 8) | f[ip + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const checksum = ~sum & 0xffff;
  f[ip + 10] = checksum >> 8;
  f[ip + 11] = checksum & 0xff;
  const udp = ip + IPV4_HEADER;
  const udpLength = ipLength - IPV4_HEADER;
  f.set([0x30, 0x39, 0x30, 0x3a, udpLength >> 8, udpLength & 0xff, 0, 0], udp);
  const end = at + length;
  for (let i = udp + UDP_HEADER; i < end; i += 4) {
    const v = rng.u32();
    for (let k = 0; k < 4 && i + k < end; k++) f[i + k] = v >>> (8 * k);
  }
}

/** Writes `count` frames of sizes uniform in [minSize, maxSize] to a pcap at `path`, 1 us apart; returns their octets. */
export async function generateCapture(path: string, count: number, minSize: number, maxSize: number, seed: number): Promise<number> {
  const rng = new Rng(seed);
  const writer = await PcapFileWriter.create(path);
  const frames = packedFrames(BURST, BURST * maxSize);
  const seconds = new Float64Array(BURST);
  const nanoseconds = new Uint32Array(BURST);
  const times: FrameTimes = { seconds, nanoseconds, timestampNs: (i) => BigInt(seconds[i]!) * 1_000_000_000n + BigInt(nanoseconds[i]!) };
  let octets = 0;
  try {
    for (let i = 0; i < count; i += BURST) {
      frames.count = 0;
      let at = 0;
      for (let k = i; k < Math.min(count, i + BURST); k++) {
        const size = minSize + (rng.u32() % (maxSize - minSize + 1));
        udpFrame(frames.data, at, size, rng);
        const j = frames.count++;
        frames.offsets[j] = at;
        frames.lengths[j] = size;
        seconds[j] = T0_SECONDS + Math.floor(k / 1_000_000);
        nanoseconds[j] = (k % 1_000_000) * 1000;
        at += size;
        octets += size;
      }
      await writer.writePacked(frames, times);
    }
    await writer.close();
  } catch (e) {
    await writer.abandon();
    throw e;
  }
  return octets;
}
