/**
 * Packet numbers on the hot path: a PN is held as two numbers, `hi` and `lo` (its upper and lower 32 bits),
 * so the per-frame path does no BigInt arithmetic and allocates nothing; the API shows PNs as bigint.
 * After the last PN (2^32 - 1, or 2^64 - 1 with XPN) a nextPN is one past it: hi may then be 1 or 2^32.
 *
 * Replay follows the standard's lowest-acceptable-PN model (10.6.2, 10.6.5), not an IPsec bitmap:
 * a frame is late if PN < lowestPN; a validated frame with PN >= nextPN sets nextPN = PN + 1 and
 * lowestPN = nextPN - replayWindow. Inside [lowestPN, nextPN) a repeat is accepted, as the standard says;
 * replayWindow 0 makes lowestPN = nextPN, i.e. strictly increasing PNs.
 */
import { TWO_32 } from '../crypto/packed.js';
import { ConfigError, describe } from '../util/errors.js';

export { TWO_32 };
const LOW_MASK = 0xffff_ffffn;

/** The replay state of a receive SA: nextPN and lowestPN as hi/lo halves. */
export interface ReplayState {
  nextHi: number;
  nextLo: number;
  lowestHi: number;
  lowestLo: number;
}

export const pnBig = (hi: number, lo: number): bigint => (hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo));
export const pnHi = (pn: bigint): number => Number(pn >> 32n);
export const pnLo = (pn: bigint): number => Number(pn & LOW_MASK);

/** (aHi, aLo) < (bHi, bLo). */
export const pnLess = (aHi: number, aLo: number, bHi: number, bLo: number): boolean => aHi < bHi || (aHi === bHi && aLo < bLo);

/**
 * 802.1AEbw 10.6.2: the upper 32 bits of a received frame's PN, recovered from lowestPN: the recovered PN
 * is the smallest PN >= lowestPN whose low 32 bits are those in the SecTAG. Needs replayWindow < 2^30 so
 * that the frames in flight lie in one 2^32 span. The plain suites have no upper bits: 0.
 *
 * Linux differs (recovers from nextPN, with a same-half test, and keeps a "late" test within the same
 * half); here, as in the standard, an XPN frame is never below lowestPN after recovery: a frame replayed
 * from before lowestPN is recovered into the next epoch and fails its ICV (InPktsNotValid).
 */
export function recoverPNHigh(xpn: boolean, s: Readonly<ReplayState>, lo: number): number {
  if (!xpn) return 0;
  return lo >= s.lowestLo ? s.lowestHi : s.lowestHi + 1;
}

/** 10.6.2, 10.6.5: PN < lowestPN. */
export const isLate = (s: Readonly<ReplayState>, hi: number, lo: number): boolean => pnLess(hi, lo, s.lowestHi, s.lowestLo);

/**
 * 10.6.5, after a frame validated: if PN >= nextPN then nextPN = PN + 1 and
 * lowestPN = max(lowestPN, nextPN - replayWindow) (floored at 0). lowestPN never moves back: the KaY may
 * have set it above nextPN - replayWindow (10.7), and a window shrunk at run time only ever raises it.
 */
export function advanceReplay(s: ReplayState, hi: number, lo: number, replayWindow: number): void {
  if (pnLess(hi, lo, s.nextHi, s.nextLo)) return;
  if (lo === 0xffff_ffff) {
    s.nextHi = hi + 1;
    s.nextLo = 0;
  } else {
    s.nextHi = hi;
    s.nextLo = lo + 1;
  }
  raiseLowest(s, replayWindow);
}

/** lowestPN = max(lowestPN, nextPN - replayWindow, 0). replayWindow < 2^32, so one borrow at most. */
export function raiseLowest(s: ReplayState, replayWindow: number): void {
  let h = s.nextHi;
  let l = s.nextLo - replayWindow;
  if (l < 0) {
    l += TWO_32;
    h -= 1;
  }
  if (h < 0) {
    h = 0;
    l = 0;
  }
  if (pnLess(s.lowestHi, s.lowestLo, h, l)) {
    s.lowestHi = h;
    s.lowestLo = l;
  }
}

/** The largest replayWindow: 2^32 - 1, or 2^30 - 1 with XPN (802.1AEbw, so that PN recovery is unambiguous). */
export const maxReplayWindow = (xpn: boolean): number => (xpn ? 2 ** 30 - 1 : 2 ** 32 - 1);

export function checkReplayWindow(window: unknown, xpn: boolean): number {
  const max = maxReplayWindow(xpn);
  if (typeof window !== 'number' || !Number.isInteger(window) || window < 0 || window > max) {
    throw new ConfigError('replayWindow', `an integer 0 to ${max}${xpn ? ' (2^30 - 1: the XPN limit)' : ''}`, describe(window));
  }
  return window;
}

/** Checks a PN given by the KaY: a bigint in [min, max]. */
export function checkPN(field: string, pn: unknown, min: bigint, max: bigint): bigint {
  if (typeof pn !== 'bigint' || pn < min || pn > max) throw new ConfigError(field, `a bigint from ${min} to ${max}`, describe(pn));
  return pn;
}
