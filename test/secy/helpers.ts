/** Shared fixtures for the SecY tests: frames, keys, and a transmitter/receiver pair. */
import { expect } from 'vitest';
import type { BackendName } from '../../src/crypto/backend.js';
import { CIPHER_SUITES, type CipherSuiteName } from '../../src/crypto/suite.js';
import { RECEIVE_PACKET_COUNTERS, SecY, receivedTotal, type ReceiveOutcome, type SecYControls, type TransmitOutcome } from '../../src/secy/index.js';

export const MAC_A = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0a]);
export const MAC_B = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0b]);
export const MAC_C = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0c]);
/** The SCIs are MAC ‖ port 1, so ES works for them. */
export const SCI_A = Uint8Array.from([...MAC_A, 0, 1]);
export const SCI_B = Uint8Array.from([...MAC_B, 0, 1]);
export const SCI_C = Uint8Array.from([...MAC_C, 0, 1]);

export const SSCI_A = Uint8Array.from([0, 0, 0, 1]);
export const SALT = Uint8Array.from([0x9a, 0x5b, 0x12, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb]);

export function key(suite: CipherSuiteName, seed: number): Uint8Array {
  const k = new Uint8Array(CIPHER_SUITES[suite].keyLength);
  for (let i = 0; i < k.length; i++) k[i] = (seed * 31 + i * 7) & 0xff;
  return k;
}

/** DA ‖ SA ‖ EtherType ‖ payload. */
export function ethFrame(payloadLength = 46, fill = 0x5a, etherType = 0x0800, src = MAC_A, dst = MAC_B): Uint8Array {
  const f = new Uint8Array(14 + payloadLength);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = etherType >> 8;
  f[13] = etherType & 0xff;
  for (let i = 0; i < payloadLength; i++) f[14 + i] = (fill + i) & 0xff;
  return f;
}

export const xpnExtras = (suite: CipherSuiteName): { ssci?: Uint8Array; salt?: Uint8Array } =>
  CIPHER_SUITES[suite].xpn ? { ssci: SSCI_A, salt: SALT } : {};

export interface PairOptions {
  readonly suite?: CipherSuiteName;
  readonly backend?: BackendName;
  readonly tx?: Partial<SecYControls>;
  readonly rx?: Partial<SecYControls>;
  /** Initial PN of the SA (both sides). */
  readonly pn?: bigint;
  readonly an?: number;
}

/** A transmitter A and a receiver B with one SA (AN 0 unless told) from A to B, enabled on both. */
export function pair(o: PairOptions = {}): { a: SecY; b: SecY; suite: CipherSuiteName } {
  const suite = o.suite ?? 'GCM-AES-128';
  const backend = o.backend ?? 'noble';
  const a = new SecY({ sci: SCI_A, cipherSuite: suite, backend, ...o.tx });
  const b = new SecY({ sci: SCI_B, cipherSuite: suite, backend, ...o.rx });
  const an = o.an ?? 0;
  const sak = key(suite, 1);
  a.createReceiveSC(SCI_B); // A is point-to-point too
  a.createTransmitSA({ an, sak, nextPN: o.pn ?? 1n, enable: true, ...xpnExtras(suite) });
  b.createReceiveSC(SCI_A);
  b.createReceiveSA(SCI_A, { an, sak, nextPN: o.pn ?? 1n, enable: true, ...xpnExtras(suite) });
  return { a, b, suite };
}

export function sent(o: TransmitOutcome): Uint8Array {
  if (o.kind !== 'transmitted') throw new Error(`expected a transmitted frame, got ${o.counter}: ${o.reason}`);
  return o.frame;
}

export function delivered(o: ReceiveOutcome): Uint8Array {
  if (o.kind !== 'controlled') throw new Error(`expected delivery to the Controlled Port, got ${o.kind} ${o.counter}`);
  return o.frame;
}

/** Offset of the SecTAG's TCI octet in a frame without clear tags. */
export const TCI_OFFSET = 14;
export const PN_OFFSET = 16;

export function readPN(mpdu: Uint8Array, tagOffset = 12): number {
  return ((mpdu[tagOffset + 4]! << 24) | (mpdu[tagOffset + 5]! << 16) | (mpdu[tagOffset + 6]! << 8) | mpdu[tagOffset + 7]!) >>> 0;
}

/** A copy with one bit flipped at `index` (negative: from the end). */
export function flip(frame: Uint8Array, index: number): Uint8Array {
  const f = frame.slice();
  f[index < 0 ? f.length + index : index]! ^= 0x01;
  return f;
}

/** Every received frame counted once: the InPkts counters add up to `n`. */
export function expectConserved(secy: SecY, n: number): void {
  const c = secy.counters().secy;
  expect(receivedTotal(c), JSON.stringify(Object.fromEntries(RECEIVE_PACKET_COUNTERS.map((k) => [k, c[k]])))).toBe(n);
}

/** `items` cut into consecutive chunks whose sizes cycle over `sizes` (one chunk of all when none given). */
export function chunks<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  for (let i = 0, k = 0; i < items.length; k++) {
    const size = sizes.length === 0 ? items.length : sizes[k % sizes.length]!;
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}
