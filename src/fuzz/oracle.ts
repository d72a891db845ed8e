/**
 * What the fuzzer checks outcomes against, written apart from the code under test so that a bug there is
 * not copied here:
 *
 * - `authenticatedRegion`: the octets the ICV covers (DA ‖ SA, then SecTAG ‖ secure data ‖ ICV), found with
 *   the length rules of 802.1AE 9.7 re-implemented in a few lines. Two frames with the same authenticated
 *   octets are the same frame to a receiver, whatever else differs (padding after the ICV, clear VLAN tags
 *   outside the ICV); any other difference must make the ICV fail.
 * - `ReplayModel`: the receive SA's replay state (10.6.2, 10.6.5, 802.1AEbw PN recovery) in plain bigint
 *   arithmetic, predicting the one counter each legitimate frame must land in.
 */
import type { ValidateFrames } from '../secy/controls.js';
import type { ReceivePacketCounterName } from '../secy/counters.js';

const ADDRESSES = 12;
const MACSEC = 0x88e5;
const ICV = 16;
const MIN_FRAME = 60;
const u16 = (f: Uint8Array, o: number): number => (f[o]! << 8) | f[o + 1]!;
const isVlan = (t: number): boolean => t === 0x8100 || t === 0x88a8;

/** Offset of the SecTAG after at most `maxTags` VLAN tags, or -1 (the receiver's scan, 10.6 with clear tags). */
export function locateSecTag(frame: Uint8Array, maxTags: number): number {
  let o = ADDRESSES;
  for (let i = 0; ; i++) {
    if (frame.length < o + 2) return -1;
    const t = u16(frame, o);
    if (t === MACSEC) return o;
    if (i >= maxTags || !isVlan(t)) return -1;
    o += 4;
  }
}

export interface AuthRegion {
  readonly secTagOffset: number;
  /** One past the ICV's last octet. */
  readonly end: number;
  /** The TCI/AN octet. */
  readonly tci: number;
}

/**
 * Where the ICV-covered octets lie, or undefined when the lengths make no MACsec frame (9.7: SL below 48
 * with its two high bits clear; SL names the secure data length exactly, or the frame is padded up to 60
 * octets; SL 0 means 48 octets of secure data or more).
 */
export function authenticatedRegion(frame: Uint8Array, maxTags: number): AuthRegion | undefined {
  const off = locateSecTag(frame, maxTags);
  if (off < 0 || frame.length < off + 8) return undefined;
  const tci = frame[off + 2]!;
  const sl = frame[off + 3]!;
  const dataOffset = off + (tci & 0x20 ? 16 : 8);
  if (frame.length < dataOffset + ICV) return undefined;
  const available = frame.length - dataOffset - ICV;
  let length: number;
  if (sl >= 48) return undefined;
  if (sl !== 0) {
    if (!(available === sl || (available > sl && frame.length <= MIN_FRAME))) return undefined;
    length = sl;
  } else {
    if (available < 48) return undefined;
    length = available;
  }
  return { secTagOffset: off, end: dataOffset + length + ICV, tci };
}

/** Whether a receiver would authenticate exactly the same octets in `a` as in `b` (a legitimate frame). */
export function sameAuthenticated(a: Uint8Array, b: Uint8Array, maxTags: number): boolean {
  const ra = authenticatedRegion(a, maxTags);
  const rb = authenticatedRegion(b, maxTags);
  if (ra === undefined || rb === undefined) return false;
  if (ra.end - ra.secTagOffset !== rb.end - rb.secTagOffset) return false;
  for (let i = 0; i < ADDRESSES; i++) if (a[i] !== b[i]) return false;
  for (let i = 0; i < ra.end - ra.secTagOffset; i++) if (a[ra.secTagOffset + i] !== b[rb.secTagOffset + i]) return false;
  return true;
}

/** The C bit of the frame's SecTAG as the receiver would find it, or undefined without a SecTAG. */
export function changedTextBit(frame: Uint8Array, maxTags: number): boolean | undefined {
  const off = locateSecTag(frame, maxTags);
  if (off < 0 || frame.length < off + 3) return undefined;
  return (frame[off + 2]! & 0x04) !== 0;
}

interface ModelSA {
  /** Which SAK: a frame of another generation fails its ICV. */
  gen: number;
  next: bigint;
  lowest: bigint;
}

/** A frame some transmitter legitimately sent: its AN, full PN, SAK generation and C bit. */
export interface LegitimateMeta {
  readonly an: number;
  readonly pn: bigint;
  readonly gen: number;
  readonly c: boolean;
}

export interface ModelControls {
  readonly xpn: boolean;
  readonly maxPN: bigint;
  readonly validateFrames: ValidateFrames;
  readonly replayProtect: boolean;
  readonly replayWindow: number;
}

const LOW = 0xffff_ffffn;

/** One receive SC's replay state, by AN, as 802.1AE says it must evolve. */
export class ReplayModel {
  private readonly sas: (ModelSA | undefined)[] = [undefined, undefined, undefined, undefined];

  constructor(private readonly c: ModelControls) {}

  /** createReceiveSA with nextPN and the default lowestPN = nextPN - replayWindow (at least 0). */
  install(an: number, gen: number, nextPN: bigint): void {
    const lowest = nextPN - BigInt(this.c.replayWindow);
    this.sas[an] = { gen, next: nextPN, lowest: lowest < 0n ? 0n : lowest };
  }

  remove(an: number): void {
    this.sas[an] = undefined;
  }

  /** Overwrites the state with the SecY's (after a reported divergence, so one fault is reported once). */
  resync(an: number, next: bigint, lowest: bigint): void {
    const sa = this.sas[an];
    if (sa) {
      sa.next = next;
      sa.lowest = lowest;
    }
  }

  lowest(an: number): bigint | undefined {
    return this.sas[an]?.lowest;
  }

  /** The full PN a receiver recovers from `low` (802.1AEbw 10.6.2: the smallest PN >= lowestPN ending in `low`). */
  recover(an: number, low: number): bigint {
    const sa = this.sas[an];
    if (!this.c.xpn || sa === undefined) return BigInt(low);
    const hi = sa.lowest >> 32n;
    return ((BigInt(low) >= (sa.lowest & LOW) ? hi : hi + 1n) << 32n) | BigInt(low);
  }

  /**
   * The counter a legitimate frame (or one whose authenticated octets are a legitimate frame's) must land in,
   * with the state moved as a valid frame moves it (10.6.5).
   */
  expect(f: LegitimateMeta): ReceivePacketCounterName {
    const strict = this.c.validateFrames === 'Strict';
    const sa = this.sas[f.an];
    if (sa === undefined) return f.c || strict ? 'InPktsNotUsingSA' : 'InPktsUnusedSA';
    const r = this.recover(f.an, Number(f.pn & LOW));
    const late = r < sa.lowest;
    if (this.c.replayProtect && late) return 'InPktsLate';
    const validated = f.c || this.c.validateFrames !== 'Disabled';
    if (!validated) return late ? 'InPktsDelayed' : 'InPktsUnchecked';
    const verifies = f.gen === sa.gen && r === f.pn && r <= this.c.maxPN;
    if (!verifies) return f.c || strict ? 'InPktsNotValid' : 'InPktsInvalid';
    if (r >= sa.next) {
      sa.next = r + 1n;
      const floor = sa.next - BigInt(this.c.replayWindow);
      if (floor > sa.lowest) sa.lowest = floor;
    }
    return late ? 'InPktsDelayed' : 'InPktsOK';
  }
}
