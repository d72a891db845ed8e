/**
 * SecY statistics (802.1AE 10.7.9 receive, 10.7.18 transmit; IEEE8021-SECY-MIB), spelled as the standard
 * and `ip -s macsec show` spell them. Counts are plain `number`s (2^53 frames is beyond any simulation).
 *
 * Where they live: each SA keeps one record of everything its frames did (one increment per frame on the
 * hot path). An SC's counters are its `absorbed` record (counts of deleted SAs, and frames that found no
 * SA object at all) plus the sum over its live SAs; the SecY's are its own record plus the sum over its
 * SCs (deleted receive SCs absorbed likewise). So every total survives SA and SC deletion (key rollover).
 */

/** SecY-level receive counters (10.7.9): frames that never reached a receive SC's SA. */
export const SECY_RECEIVE_COUNTERS = ['InPktsUntagged', 'InPktsNoTag', 'InPktsBadTag', 'InPktsUnknownSCI', 'InPktsNoSCI', 'InPktsOverrun'] as const;
/** SecY-level transmit counters (10.7.18). */
export const SECY_TRANSMIT_COUNTERS = ['OutPktsUntagged', 'OutPktsTooLong'] as const;
/**
 * Simulator counters, not in 802.1AE (hence the `Sim` prefix), so every frame lands in exactly one counter:
 * - SimInPktsUncontrolled: SecTAG with E=1, C=0 (reserved, 9.5), handed to the Uncontrolled Port only.
 * - SimOutPktsNoSA: protectFrames on but the encoding SA is absent or not enabled for transmit.
 * - SimOutPktsPNExhausted: the encoding SA has used its last PN (10.5.2), or the last PN its persisted
 *   snapshot covers (snapshot.ts: it may send again once a newer snapshot is persisted), and refuses to send.
 */
export const SIM_COUNTERS = ['SimInPktsUncontrolled', 'SimOutPktsNoSA', 'SimOutPktsPNExhausted'] as const;
/** Receive SC counters (10.7.9). */
export const RECEIVE_SC_COUNTERS = [
  'InPktsOK',
  'InPktsUnchecked',
  'InPktsDelayed',
  'InPktsLate',
  'InPktsInvalid',
  'InPktsNotValid',
  'InPktsNotUsingSA',
  'InPktsUnusedSA',
  'InOctetsValidated',
  'InOctetsDecrypted',
] as const;
/** The subset 802.1AE keeps per receive SA (10.7.9, secyRxSAStatsTable). */
export const RECEIVE_SA_COUNTERS = ['InPktsOK', 'InPktsInvalid', 'InPktsNotValid', 'InPktsNotUsingSA', 'InPktsUnusedSA'] as const;
/** Transmit SC counters (10.7.18). */
export const TRANSMIT_SC_COUNTERS = ['OutPktsProtected', 'OutPktsEncrypted', 'OutOctetsProtected', 'OutOctetsEncrypted'] as const;
/** The subset 802.1AE keeps per transmit SA (secyTxSAStatsTable). */
export const TRANSMIT_SA_COUNTERS = ['OutPktsProtected', 'OutPktsEncrypted'] as const;

/** Every received frame lands in exactly one of these (conservation: their sum is the frames received). */
export const RECEIVE_PACKET_COUNTERS = [
  'InPktsUntagged',
  'InPktsNoTag',
  'InPktsBadTag',
  'InPktsUnknownSCI',
  'InPktsNoSCI',
  'InPktsOverrun',
  'InPktsOK',
  'InPktsUnchecked',
  'InPktsDelayed',
  'InPktsLate',
  'InPktsInvalid',
  'InPktsNotValid',
  'InPktsNotUsingSA',
  'InPktsUnusedSA',
  'SimInPktsUncontrolled',
] as const;
/** Every frame given to transmit lands in exactly one of these. */
export const TRANSMIT_PACKET_COUNTERS = [
  'OutPktsUntagged',
  'OutPktsTooLong',
  'OutPktsProtected',
  'OutPktsEncrypted',
  'SimOutPktsNoSA',
  'SimOutPktsPNExhausted',
] as const;

export type SecYReceiveCounterName = (typeof SECY_RECEIVE_COUNTERS)[number];
export type SecYTransmitCounterName = (typeof SECY_TRANSMIT_COUNTERS)[number];
export type SimCounterName = (typeof SIM_COUNTERS)[number];
export type ReceiveSCCounterName = (typeof RECEIVE_SC_COUNTERS)[number];
export type ReceiveSACounterName = (typeof RECEIVE_SA_COUNTERS)[number];
export type TransmitSCCounterName = (typeof TRANSMIT_SC_COUNTERS)[number];
export type TransmitSACounterName = (typeof TRANSMIT_SA_COUNTERS)[number];
export type ReceivePacketCounterName = (typeof RECEIVE_PACKET_COUNTERS)[number];
export type TransmitPacketCounterName = (typeof TRANSMIT_PACKET_COUNTERS)[number];

export type ReceiveSCCounters = Record<ReceiveSCCounterName, number>;
export type ReceiveSACounters = Record<ReceiveSACounterName, number>;
export type TransmitSCCounters = Record<TransmitSCCounterName, number>;
export type TransmitSACounters = Record<TransmitSACounterName, number>;
/** SecY level: its own counters, the simulator's, and the sums over every SC (past and present). */
export type SecYCounters = Record<SecYReceiveCounterName | SecYTransmitCounterName | SimCounterName | ReceiveSCCounterName | TransmitSCCounterName, number>;
/** The record the SecY itself increments. */
export type SecYOwnCounters = Record<SecYReceiveCounterName | SecYTransmitCounterName | SimCounterName, number>;

export const SECY_OWN_COUNTERS = [...SECY_RECEIVE_COUNTERS, ...SECY_TRANSMIT_COUNTERS, ...SIM_COUNTERS] as const;
export const SECY_COUNTERS = [...SECY_OWN_COUNTERS, ...RECEIVE_SC_COUNTERS, ...TRANSMIT_SC_COUNTERS] as const;

/** A record of `names`, all zero; always built in the same order so V8 gives every record one shape. */
export function zeroCounters<K extends string>(names: readonly K[]): Record<K, number> {
  const c = {} as Record<K, number>;
  for (const n of names) c[n] = 0;
  return c;
}

/** to[n] += from[n] for each name. */
export function addCounters<K extends string>(to: Record<K, number>, from: Readonly<Record<K, number>>, names: readonly K[]): void {
  for (const n of names) to[n] += from[n];
}

export function pickCounters<K extends string>(from: Readonly<Record<K, number>>, names: readonly K[]): Record<K, number> {
  const c = {} as Record<K, number>;
  for (const n of names) c[n] = from[n];
  return c;
}

// ---- the plain-object view: secy.counters() ----

export interface TransmitSAView {
  readonly an: number;
  readonly inUse: boolean;
  readonly counters: TransmitSACounters;
}
export interface TransmitSCView {
  readonly sci: string;
  readonly encodingSA: number;
  readonly counters: TransmitSCCounters;
  readonly sas: readonly TransmitSAView[];
}
export interface ReceiveSAView {
  readonly an: number;
  readonly inUse: boolean;
  readonly counters: ReceiveSACounters;
}
export interface ReceiveSCView {
  readonly sci: string;
  readonly counters: ReceiveSCCounters;
  readonly sas: readonly ReceiveSAView[];
}
/** What `secy.counters()` returns: plain, JSON-safe (numbers, strings and booleans only). */
export interface SecYCountersView {
  readonly sci: string;
  readonly secy: SecYCounters;
  readonly transmitSC: TransmitSCView;
  readonly receiveSCs: readonly ReceiveSCView[];
}

/** Sum of the receive packet counters: equals the number of frames received (conservation). */
export function receivedTotal(c: Readonly<SecYCounters>): number {
  let n = 0;
  for (const k of RECEIVE_PACKET_COUNTERS) n += c[k];
  return n;
}

/** Sum of the transmit packet counters: equals the number of frames given to transmit. */
export function transmittedTotal(c: Readonly<SecYCounters>): number {
  let n = 0;
  for (const k of TRANSMIT_PACKET_COUNTERS) n += c[k];
  return n;
}

export interface FormatOptions {
  /** Leave out rows whose counters are all zero (default false: print everything). */
  readonly hideZeroRows?: boolean;
}

/** One "names / values" pair of lines, each value under its name, as `ip -s macsec show` prints. */
function statsRows(indent: string, names: readonly string[], values: Readonly<Record<string, number>>): string[] {
  const widths = names.map((n) => Math.max(n.length, String(values[n]).length));
  const head = names.map((n, i) => n.padEnd(widths[i]!)).join(' ');
  const vals = names.map((n, i) => String(values[n]).padEnd(widths[i]!)).join(' ');
  return [`${indent}stats: ${head}`.trimEnd(), `${indent}       ${vals}`.trimEnd()];
}

const allZero = (names: readonly string[], values: Readonly<Record<string, number>>): boolean => names.every((n) => values[n] === 0);

/**
 * The counters as a text table in the layout of `ip -s macsec show`: SecY, then the transmit SC and its
 * SAs, then each receive SC and its SAs; names on one line and values right below them.
 */
export function formatCounters(view: SecYCountersView, options: FormatOptions = {}): string {
  const hide = options.hideZeroRows ?? false;
  const out: string[] = [];
  const block = (indent: string, title: string, names: readonly string[], values: Readonly<Record<string, number>>): void => {
    if (hide && allZero(names, values)) return;
    out.push(`${indent}${title}`, ...statsRows(indent, names, values));
  };
  const secyNames = ['OutPktsUntagged', 'InPktsUntagged', 'OutPktsTooLong', 'InPktsNoTag', 'InPktsBadTag', 'InPktsUnknownSCI', 'InPktsNoSCI', 'InPktsOverrun'];
  out.push(`SecY ${view.sci}`, ...statsRows('', secyNames, view.secy));
  block('  ', 'simulator (not 802.1AE counters):', SIM_COUNTERS, view.secy);
  const tx = view.transmitSC;
  out.push(`  TXSC: ${tx.sci} on SA ${tx.encodingSA}`, ...statsRows('  ', TRANSMIT_SC_COUNTERS, tx.counters));
  for (const sa of tx.sas) block('    ', `${sa.an}: state ${sa.inUse ? 'on' : 'off'}`, TRANSMIT_SA_COUNTERS, sa.counters);
  for (const sc of view.receiveSCs) {
    out.push(`  RXSC: ${sc.sci}`, ...statsRows('  ', RECEIVE_SC_COUNTERS, sc.counters));
    for (const sa of sc.sas) block('    ', `${sa.an}: state ${sa.inUse ? 'on' : 'off'}`, RECEIVE_SA_COUNTERS, sa.counters);
  }
  return out.join('\n');
}
