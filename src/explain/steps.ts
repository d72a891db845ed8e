/**
 * The GCM walk-through of one received frame (`macsec explain HEX --sa SA.json --steps`): the values of
 * `gcmTrace`, step by step, named as the teaching page names them (h, iv, j0, ctr, ghash, tag).
 */
import { gcmTrace, type GcmTrace } from '../crypto/trace.js';
import { toHex } from '../util/hex.js';
import { parseMacsecFrame } from '../wire/frame.js';
import type { KeyResolver } from './explain.js';

/** The steps in order, as the page's `step=` parameter names them. */
export const TRACE_STEPS = ['h', 'iv', 'j0', 'ctr', 'ghash', 'tag'] as const;
export type TraceStep = (typeof TRACE_STEPS)[number];

/** The trace of a received frame with the keys a receiver would use, or why there is none. */
export function traceReceived(frame: Uint8Array, keys: KeyResolver): GcmTrace | { readonly missing: string } {
  const parsed = parseMacsecFrame(frame, { clearTags: 'auto', allowZeroPN: true });
  if (!parsed.ok) return { missing: `not a valid MACsec frame (${parsed.error.message})` };
  const key = keys(frame, parsed.value);
  if ('missing' in key) return key;
  return gcmTrace(key.key, { received: frame, sci: key.sci, pn: key.pn, confidentialityOffset: key.confidentialityOffset });
}

const hex = (b: Uint8Array): string => toHex(b);
/** 16-octet blocks in four groups of four octets. */
const block = (b: Uint8Array): string => toHex(b, '').replace(/(.{8})(?=.)/g, '$1 ');

/** The IV's octets by source: "SCI[0..7] ‖ PN[0..3]", with XPN the XOR with the salt spelt out. */
export function ivSourceText(t: GcmTrace): string {
  const runs: string[] = [];
  let i = 0;
  while (i < t.ivSources.length) {
    const s = t.ivSources[i]!;
    let j = i;
    while (j + 1 < t.ivSources.length && t.ivSources[j + 1]!.from === s.from) j++;
    runs.push(`${s.from}[${s.index}..${t.ivSources[j]!.index}]`);
    i = j + 1;
  }
  const xpn = t.ivSources[0]!.salt !== undefined;
  return xpn ? `(${runs.join(' ‖ ')}) XOR salt` : runs.join(' ‖ ');
}

export function renderSteps(t: GcmTrace): string {
  const lines: string[] = [`GCM steps (${t.suite}; NIST SP 800-38D 7.1, IEEE 802.1AE 14.5${t.ivSources[0]!.salt !== undefined ? ', 14.7' : ''})`];
  const put = (step: TraceStep | '', text: string): void => {
    lines.push(`${step.padEnd(6)} ${text}`);
  };
  const row = (step: TraceStep | '', label: string, value: string): void => put(step, `${label.padEnd(38)} ${value}`);
  row('h', 'H = E_K(0^128)', block(t.h));
  row('iv', `IV = ${ivSourceText(t)}`, hex(t.iv));
  if (t.ivSources[0]!.salt !== undefined) row('', '     salt', t.ivSources.map((s) => (s.salt ?? 0).toString(16).padStart(2, '0')).join(''));
  row('j0', 'J0 = IV ‖ 00000001', block(t.j0));
  row('ctr', 'E_K(J0)', block(t.ekj0));
  if (t.counters.length === 0) put('', 'no counter blocks: integrity only, nothing is encrypted');
  for (const c of t.counters) {
    put('', `counter ${block(c.counter)}  keystream ${block(c.keystream)}`);
    put('', `        P ${hex(c.plaintext).padEnd(32)}  C = P XOR keystream ${hex(c.ciphertext)}`);
  }
  put('ghash', `Y_i = (Y_i-1 XOR X_i) · H over ${t.aad.length} octets of AAD, ${t.ciphertext.length} of ciphertext, the length block`);
  t.ghash.forEach((s, i) => put('', `${String(i + 1).padStart(3)} ${s.part.padEnd(10)} X ${block(s.block)}  Y ${block(s.y)}`));
  row('tag', 'S = GHASH', block(t.s));
  row('', 'tag = S XOR E_K(J0) = ICV', block(t.tag));
  if (t.receivedIcv !== undefined) row('', 'received ICV', `${block(t.receivedIcv)}  ${t.verified ? 'verifies' : 'does NOT verify (InPktsNotValid in Strict)'}`);
  return lines.join('\n');
}

/** The trace as JSON: every octet string in hex. */
export function traceJson(t: GcmTrace): unknown {
  return JSON.parse(JSON.stringify(t, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)));
}
