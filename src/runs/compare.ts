/**
 * `macsec compare`: a device's output against the expected frames, or its counters against the expected
 * ones. Frames pair by order or by PN; each pair is identical, or its first differing octet is named by
 * field (DA, SA, clear tag, SecTAG TCI bits, AN, SL, PN, SCI, secure data, ICV). With the expected keys, the
 * device's frame is also validated, telling a wrong key or IV apart from wrong framing.
 */
import type { KeyResolver } from '../explain/explain.js';
import { validate } from '../crypto/macsec.js';
import { CONFIDENTIALITY_OFFSETS } from '../crypto/suite.js';
import { UsageError } from '../util/errors.js';
import { toHex } from '../util/hex.js';
import { isObject } from '../util/json.js';
import { parseMacsecFrame, type MacsecFrame } from '../wire/frame.js';
import { formatMac } from '../wire/mac.js';
import { ICV_LENGTH, TCI_C, TCI_E, TCI_ES, TCI_SC, TCI_SCB, TCI_V } from '../wire/sectag.js';

export type MatchBy = 'order' | 'pn';

export interface FrameComparison {
  /** 1-based frame numbers in each capture; undefined when the frame has no partner. */
  readonly expected: number | undefined;
  readonly got: number | undefined;
  readonly result: 'identical' | 'differs' | 'missing' | 'extra';
  /** The first difference, named by field; for identical frames, a remark (padding) if any. */
  readonly difference?: string;
  /** The octet of `got` where it starts. */
  readonly offset?: number;
  /** With the expected keys: what validating the device's frame under them showed. */
  readonly keyCheck?: string;
}

export interface CompareOptions {
  readonly match: MatchBy;
  /** The expected keys (an SA file's receive channels), to validate the device's frames. */
  readonly keys?: { readonly resolver: KeyResolver; readonly xpn: boolean; readonly offset: number } | undefined;
  /** Per expected frame (cases.json from macsec generate): its full PN and confidentiality offset, for the key check. */
  readonly cases?: readonly { readonly pn: bigint; readonly confidentialityOffset: number }[] | undefined;
}

const layoutOf = (frame: Uint8Array, xpn: boolean): MacsecFrame | undefined => {
  const p = parseMacsecFrame(frame, { clearTags: 'auto', allowZeroPN: xpn });
  return p.ok ? p.value : undefined;
};

const TCI_BITS: readonly (readonly [string, number])[] = [
  ['V', TCI_V],
  ['ES', TCI_ES],
  ['SC', TCI_SC],
  ['SCB', TCI_SCB],
  ['E', TCI_E],
  ['C', TCI_C],
];

const readU32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** The first differing octet of two frames, named by the field of the expected frame it falls in. */
export function describeDifference(expected: Uint8Array, got: Uint8Array, xpn = false): { difference: string; offset: number } | undefined {
  const e = layoutOf(expected, xpn);
  const g = layoutOf(got, xpn);
  const eEnd = e !== undefined ? e.icvOffset + ICV_LENGTH : expected.length;
  const gEnd = g !== undefined ? g.icvOffset + ICV_LENGTH : got.length;
  let i = 0;
  const n = Math.min(eEnd, gEnd);
  while (i < n && expected[i] === got[i]) i++;
  if (i === n && eEnd === gEnd) return undefined; // padding after the ICV aside, identical
  if (i < 6) return { difference: `DA ${formatMac(got.subarray(0, 6))} here, ${formatMac(expected.subarray(0, 6))} expected`, offset: i };
  if (i < 12) return { difference: `SA ${formatMac(got.subarray(6, 12))} here, ${formatMac(expected.subarray(6, 12))} expected`, offset: i };
  if (e === undefined) return { difference: `octet ${i} differs (the expected frame is not a MACsec frame)`, offset: i };
  const t = e.secTagOffset;
  if (i < t) return { difference: `clear VLAN tag differs at octet ${i} (the tags before the SecTAG)`, offset: i };
  if (i < t + 2) {
    const et = ((got[t] ?? 0) << 8) | (got[t + 1] ?? 0);
    return { difference: `EtherType 0x${et.toString(16).padStart(4, '0')} here, 0x88e5 (MACsec) expected at octet ${t}`, offset: i };
  }
  if (i === t + 2) {
    const bits = TCI_BITS.filter(([, m]) => (expected[i]! & m) !== (got[i]! & m)).map(([name, m]) => `${name}=${got[i]! & m ? 1 : 0} here, ${expected[i]! & m ? 1 : 0} expected`);
    const an = (x: number) => x & 3;
    if (an(expected[i]!) !== an(got[i]!)) bits.push(`AN ${an(got[i]!)} here, ${an(expected[i]!)} expected`);
    return { difference: `SecTAG TCI: ${bits.join(', ')}`, offset: i };
  }
  if (i === t + 3) return { difference: `SL ${got[i]} here, ${expected[i]} expected`, offset: i };
  if (i < t + 8) return { difference: `PN ${readU32(got, t + 4)} here, ${readU32(expected, t + 4)} expected`, offset: i };
  if (e.secTag.sci !== undefined && i < t + 16) return { difference: `SCI ${toHex(got.subarray(t + 8, t + 16))} here, ${toHex(e.secTag.sci)} expected`, offset: i };
  if (g === undefined) return { difference: `octet ${i} differs, and the frame here is not a valid MACsec frame`, offset: i };
  if (e.secureDataLength !== g.secureDataLength) {
    return { difference: `secure data of ${g.secureDataLength} octets here, ${e.secureDataLength} expected`, offset: Math.min(i, g.secureDataOffset + g.secureDataLength) };
  }
  if (i < e.icvOffset) {
    const k = i - e.secureDataOffset;
    if (!e.secTag.tci.e) return { difference: `secure data differs from octet ${k}: integrity only, so the user data itself differs`, offset: i };
    const hint = (CONFIDENTIALITY_OFFSETS as readonly number[]).includes(k) ? ': confidentiality offset?' : '';
    return { difference: `ciphertext differs from octet ${k}${hint}`, offset: i };
  }
  return { difference: 'ICV differs while the secure data is identical: AAD or IV differs (key, SCI, PN, SSCI or salt)', offset: i };
}

/** Validates the device's frame under the expected keys, trying the other confidentiality offsets too. */
function keyCheck(got: Uint8Array, keys: NonNullable<CompareOptions['keys']>, expected: { pn: bigint; confidentialityOffset: number } | undefined): string {
  const layout = layoutOf(got, keys.xpn);
  if (layout === undefined) return 'not a MACsec frame that parses: cannot validate';
  const k = keys.resolver(got, layout);
  if ('missing' in k) return `no expected key for it: ${k.missing}`;
  // XPN: the expected frame's upper PN half when the case gives it, else the one the SA file's pn implies (10.6.2).
  const pnHigh = keys.xpn && expected !== undefined ? Number(expected.pn >> 32n) : Number(k.pn >> 32n);
  const first = expected?.confidentialityOffset ?? keys.offset;
  const offsets = [first, ...CONFIDENTIALITY_OFFSETS.filter((o) => o !== first)];
  for (const offset of layout.secTag.tci.e ? offsets : [first]) {
    const plain = validate(k.sa, got, layout, { sci: k.sci, pnHigh, confidentialityOffset: offset as 0 | 30 | 50 });
    if (plain !== null) {
      const note = offset !== first ? ` with confidentiality offset ${offset}, not ${first}` : '';
      return `ICV verifies under the expected key (${k.description})${note}: key and IV are right`;
    }
  }
  const xpnNote = keys.xpn && expected === undefined ? '; the upper PN half came from the SA file\'s pn (--cases gives each frame\'s full PN)' : '';
  return `ICV does not verify under the expected key (${k.description}): wrong key or IV (SCI, PN${keys.xpn ? ', SSCI, salt' : ''}), or AAD${xpnNote}`;
}

function pnKey(frame: Uint8Array, xpn: boolean): number | undefined {
  return layoutOf(frame, xpn)?.secTag.pn;
}

/** Pairs and compares every frame. */
export function compareFrames(expected: readonly Uint8Array[], got: readonly Uint8Array[], options: CompareOptions): FrameComparison[] {
  const xpn = options.keys?.xpn ?? false;
  const pairs: [number | undefined, number | undefined][] = [];
  if (options.match === 'order') {
    for (let i = 0; i < Math.max(expected.length, got.length); i++) pairs.push([i < expected.length ? i : undefined, i < got.length ? i : undefined]);
  } else {
    // By PN (the SecTAG's low 32 bits); equal PNs pair in order.
    const byPn = new Map<number, number[]>();
    got.forEach((f, j) => {
      const pn = pnKey(f, xpn);
      if (pn !== undefined) byPn.set(pn, [...(byPn.get(pn) ?? []), j]);
    });
    const used = new Set<number>();
    expected.forEach((f, i) => {
      const pn = pnKey(f, xpn);
      const j = pn !== undefined ? byPn.get(pn)?.shift() : undefined;
      if (j !== undefined) used.add(j);
      pairs.push([i, j]);
    });
    got.forEach((_, j) => {
      if (!used.has(j)) pairs.push([undefined, j]);
    });
  }
  return pairs.map(([i, j]): FrameComparison => {
    const num = { expected: i !== undefined ? i + 1 : undefined, got: j !== undefined ? j + 1 : undefined };
    if (j === undefined) return { ...num, result: 'missing', difference: 'no frame from the device for it' };
    const check = options.keys !== undefined ? { keyCheck: keyCheck(got[j]!, options.keys, i !== undefined ? options.cases?.[i] : undefined) } : {};
    if (i === undefined) return { ...num, result: 'extra', difference: 'a frame from the device with no expected frame', ...check };
    const d = describeDifference(expected[i]!, got[j]!, xpn);
    if (d === undefined) {
      const padded = got[j]!.length !== expected[i]!.length ? { difference: `identical; ${got[j]!.length - expected[i]!.length} octets of padding after the ICV (ignored, 9.7)` } : {};
      return { ...num, result: 'identical', ...padded, ...check };
    }
    return { ...num, result: 'differs', ...d, ...check };
  });
}

// ---------------------------------------------------------------- counters

export interface CounterComparison {
  readonly counter: string;
  readonly expected: number;
  /** undefined: the device did not report it. */
  readonly got: number | undefined;
  readonly ok: boolean;
}

/** The receive counters an expected.json (from `macsec generate --receive`) states. */
export function expectedCounters(doc: unknown, file: string): Record<string, number> {
  if (!isObject(doc) || !isObject(doc['counters'])) throw new UsageError(`${file}: expected an object with "counters" (as macsec generate --receive writes)`);
  const known = ['validateFrames', 'replayProtect', 'replayWindow', 'counters', 'frames'];
  for (const k of Object.keys(doc)) if (!known.includes(k)) throw new UsageError(`${file}: ${k}: an unknown field (expected ${known.join(', ')})`);
  return numbers(doc['counters'], `${file}: counters`);
}

function numbers(o: Record<string, unknown>, where: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new UsageError(`${where}.${k}: expected a count, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

/**
 * A device's counters as JSON: a flat { "InPktsOK": n, ... }, an object with such a "counters" map, or
 * `macsec validate --json` output (the SecY's counters, which total its receive SCs').
 */
export function deviceCountersJson(doc: unknown, file: string): Record<string, number> {
  if (!isObject(doc)) throw new UsageError(`${file}: expected a JSON object of counters`);
  const c = doc['counters'];
  // validate --json: the SecY's own row already totals its receive SCs.
  if (isObject(c) && isObject(c['secy'])) return numbers(pickNumbers(c['secy']), `${file}: counters.secy`);
  return isObject(c) ? numbers(c, `${file}: counters`) : numbers(doc, file);
}

const pickNumbers = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'number'));

/**
 * Counters as `ip -s macsec show` prints them for one interface: the SecY's row and each RXSC's row,
 * summed over the receive SCs (the per-SA rows repeat a subset and are left out).
 */
export function deviceCountersText(text: string, file: string): Record<string, number> {
  const lines = text.split(/\r?\n/);
  const interfaces = lines.filter((l) => /^\d+: \S+: /.test(l));
  if (interfaces.length > 1) throw new UsageError(`${file}: ${interfaces.length} interfaces (${interfaces.map((l) => l.split(':')[1]!.trim()).join(', ')}): give the counters of one`);
  const sum: Record<string, number> = {};
  let level: 'other' | 'rxsc' = 'other';
  let secyDone = false;
  let seen = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('RXSC:')) level = 'rxsc';
    else if (line.startsWith('TXSC:') || /^\d+: (PN |state )/.test(line)) level = 'other';
    else if (line.startsWith('stats:')) {
      const names = line.slice(6).trim().split(/\s+/);
      const values = (lines[i + 1] ?? '').trim().split(/\s+/);
      if (values.length !== names.length || !values.every((v) => /^\d+$/.test(v))) throw new UsageError(`${file}:${i + 2}: expected ${names.length} counts under the stats line`);
      i++;
      seen = true;
      // The first row is the SecY's (ip prints it after the TXSC line); then only the RXSC rows are receive counters.
      if (!secyDone || level === 'rxsc') names.forEach((n, k) => (sum[n] = (sum[n] ?? 0) + Number(values[k])));
      secyDone = true;
    }
  }
  if (!seen) throw new UsageError(`${file}: no "stats:" lines: expected the output of ip -s macsec show, or JSON`);
  return sum;
}

/** The expected counters against the device's; a counter the device lacks fails if a non-zero count was expected. */
export function compareCounters(expected: Readonly<Record<string, number>>, got: Readonly<Record<string, number>>): CounterComparison[] {
  return Object.entries(expected).map(([counter, n]) => {
    const g = got[counter];
    return { counter, expected: n, got: g, ok: g === n || (g === undefined && n === 0) };
  });
}
