/**
 * SecYs from an SA file: the transmit side (`macsec protect`) and the receive side (`macsec validate`,
 * `macsec explain --in`), installed the way a KaY would install them (802.1AE 10.7, clause 10).
 *
 * The one-SA form of an SA file is a channel with direction `both`: its SCI is this SecY's transmit SC and
 * also its one receive SC, so protecting a capture and validating the result with the same file
 * round-trips (a loopback). A file with channels describes one station: its transmit channel is what
 * it sends, its receive channels are its peers; validating what it protected takes the peer's file.
 */
import type { BackendName } from '../crypto/backend.js';
import { MIN_USER_DATA } from '../crypto/macsec.js';
import { SecY, type ReceiveOutcome, type TransmitOutcome, type ValidateFrames } from '../secy/index.js';
import { ConfigError } from '../util/errors.js';
import { ETHERTYPE_OFFSET } from '../wire/ethernet.js';
import type { ChannelSpec, SaFile, SaSpec } from './sa-file.js';

export interface TransmitSecYOptions {
  readonly backend?: BackendName;
  /** maxFrameSize (10.7): the longest MPDU sent, DA to ICV. Default the SecY's (1996). */
  readonly maxFrameSize?: number;
  /** Names the file in errors. Default "SA file". */
  readonly file?: string;
}

export interface ReceiveSecYOptions {
  /** validateFrames (10.7). Default 'Strict'. */
  readonly validateFrames?: ValidateFrames;
  /** replayWindow (10.7). Default 0: strictly increasing PNs. */
  readonly replayWindow?: number;
  /** replayProtect (10.7). Default true. */
  readonly replayProtect?: boolean;
  readonly backend?: BackendName;
  /** maxFrameSize (10.7). Default the SecY's (1996). */
  readonly maxFrameSize?: number;
  readonly file?: string;
}

/**
 * The smallest frame a SecY takes to transmit: addresses and an EtherType (10.5: user data is at least
 * its EtherType; no clear tags, as these SecYs keep VLAN tags inside the user data, as 802.1AE does).
 */
export const MIN_TRANSMIT_FRAME = ETHERTYPE_OFFSET + MIN_USER_DATA;

/**
 * Frames per `transmitBurst`/`receiveBurst` call: large enough that the per-call work vanishes, small
 * enough that a progress bar moves and a burst's outcomes stay a small array.
 */
export const BURST_FRAMES = 1024;

/**
 * Where a field of the file sits, for errors. The one-SA form has its fields at the top level; a file
 * with channels has them under `channels[i].sas[j]`. The decoded file no longer says which form it was,
 * so a single `both` channel with a single SA is named the one-SA way (the form that produces it unless
 * someone writes exactly that as a channel list).
 */
function saPath(file: SaFile, channel: number, sa: number): string {
  const c = file.channels[channel]!;
  const oneSa = file.channels.length === 1 && c.direction === 'both' && c.sas.length === 1;
  return oneSa ? '' : `channels[${channel}].sas[${sa}].`;
}

/** The SA file's name for a SecY parameter (10.7 names in the SecY, the vectors' names in the file). */
const FILE_FIELD: Readonly<Record<string, string>> = { sak: 'key', nextPN: 'pn', lowestPN: 'pn' };

/** Re-throws a SecY's ConfigError under the SA file's field names, so the user knows what to fix. */
function install(fileName: string, where: string, body: () => void): void {
  try {
    body();
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${fileName}: ${where}${FILE_FIELD[e.field] ?? e.field}`, e.expected, e.found);
    throw e;
  }
}

/** The file's transmit channel: the one with direction `transmit` or `both` (sa-file.ts allows at most one). */
export function transmitChannel(file: SaFile, fileName = 'SA file'): { readonly channel: ChannelSpec; readonly index: number } {
  const index = file.channels.findIndex((c) => c.direction !== 'receive');
  if (index < 0) throw new ConfigError(`${fileName}: channels`, 'a channel with direction "transmit" or "both" to send on', 'receive channels only');
  return { channel: file.channels[index]!, index };
}

/** The controls an SA file sets (10.7 names): how the transmitter builds the SecTAG and what it encrypts. */
function fileControls(file: SaFile): {
  confidentialityProtect: boolean;
  confidentialityOffset: SaFile['confidentialityOffset'];
  alwaysIncludeSCI: boolean;
  useES: boolean;
  useSCB: boolean;
} {
  return {
    confidentialityProtect: file.confidentiality,
    confidentialityOffset: file.confidentialityOffset,
    alwaysIncludeSCI: file.includeSci,
    useES: file.endStation,
    useSCB: file.scb,
  };
}

/**
 * A SecY that sends on the file's transmit channel: every SA of that channel installed with its `pn` as
 * nextPN and enabled, and the first SA listed as the encoding SA (list the SA to send under first). With
 * `includeSci` false the SecY leaves the SCI out when the file has at most one receive channel (10.5.3:
 * point-to-point), and puts it in when there are more (each peer then has several receive SCs and needs the
 * SCI to find ours).
 */
export function transmitSecY(file: SaFile, options: TransmitSecYOptions = {}): SecY {
  const fileName = options.file ?? 'SA file';
  const { channel, index } = transmitChannel(file, fileName);
  const first = channel.sas[0];
  if (first === undefined) throw new ConfigError(`${fileName}: channels[${index}].sas`, 'at least one SA to send under', 'none');
  const secy = new SecY({
    sci: channel.sci,
    cipherSuite: file.suite,
    ...(options.backend ? { backend: options.backend } : {}),
    ...fileControls(file),
    ...(options.maxFrameSize !== undefined ? { maxFrameSize: options.maxFrameSize } : {}),
  });
  channel.sas.forEach((sa: SaSpec, j) => {
    const where = saPath(file, index, j);
    // XPN files may say pn 0 (a receiver's lowest acceptable PN); a transmitter's first PN is 1 or more (10.5.2).
    if (sa.pn < 1n) throw new ConfigError(`${fileName}: ${where}pn`, 'at least 1 on a transmit channel (the first PN sent)', sa.pn.toString());
    install(fileName, where, () => secy.createTransmitSA({ an: sa.an, sak: sa.key, nextPN: sa.pn, ...xpnParams(sa) }));
    secy.enableTransmitSA(sa.an);
  });
  // enableTransmitSA made the last SA listed the encoding SA; the first listed is the one to send under.
  secy.setEncodingSA(first.an);
  // The peers as receive SCs (no SAs: nothing is received here) so that with includeSci false the SecY
  // leaves the SCI out only when it has at most one peer, as 10.5.3 allows a point-to-point SecY.
  for (const c of file.channels) if (c.direction !== 'transmit') secy.createReceiveSC(c.sci);
  return secy;
}

/**
 * A SecY that receives on every receive-capable channel of the file (`receive` or `both`): each a receive
 * SC with all its SAs enabled, `pn` as the SA's lowestPN (and nextPN, at least 1), so frames below it are
 * late. Its own SCI is the transmit channel's, or all zeros for a file that only receives (a receive-only
 * SecY never uses it).
 */
export function receiveSecY(file: SaFile, options: ReceiveSecYOptions = {}): SecY {
  const fileName = options.file ?? 'SA file';
  const receiving = file.channels.map((c, i) => ({ c, i })).filter(({ c }) => c.direction !== 'transmit');
  if (receiving.length === 0) throw new ConfigError(`${fileName}: channels`, 'a channel with direction "receive" or "both" to receive on', 'transmit channels only');
  const own = file.channels.find((c) => c.direction !== 'receive')?.sci ?? new Uint8Array(8);
  const secy = new SecY({
    sci: own,
    cipherSuite: file.suite,
    ...(options.backend ? { backend: options.backend } : {}),
    ...fileControls(file),
    ...(options.validateFrames !== undefined ? { validateFrames: options.validateFrames } : {}),
    ...(options.replayWindow !== undefined ? { replayWindow: options.replayWindow } : {}),
    ...(options.replayProtect !== undefined ? { replayProtect: options.replayProtect } : {}),
    ...(options.maxFrameSize !== undefined ? { maxFrameSize: options.maxFrameSize } : {}),
  });
  for (const { c, i } of receiving) {
    secy.createReceiveSC(c.sci);
    c.sas.forEach((sa, j) => {
      const where = saPath(file, i, j);
      install(fileName, where, () =>
        secy.createReceiveSA(c.sci, { an: sa.an, sak: sa.key, nextPN: sa.pn < 1n ? 1n : sa.pn, lowestPN: sa.pn, ...xpnParams(sa), enable: true }),
      );
    });
  }
  return secy;
}

function xpnParams(sa: SaSpec): { ssci?: Uint8Array; salt?: Uint8Array } {
  return { ...(sa.ssci ? { ssci: sa.ssci } : {}), ...(sa.salt ? { salt: sa.salt } : {}) };
}

/** Runs `frames` through `burst` BURST_FRAMES at a time, in order; `onProgress` gets the share done after each. */
function inBursts<T>(frames: readonly Uint8Array[], burst: (chunk: Uint8Array[]) => T[], onProgress?: (done: number) => void): T[] {
  const out: T[] = [];
  for (let i = 0; i < frames.length; i += BURST_FRAMES) {
    for (const o of burst(frames.slice(i, i + BURST_FRAMES))) out.push(o);
    onProgress?.(Math.min(1, (i + BURST_FRAMES) / frames.length));
  }
  return out;
}

/**
 * Protects frames in order through `secy.transmitBurst`. Every frame must be at least MIN_TRANSMIT_FRAME
 * octets (transmitBurst throws on a shorter one before sending any of its burst).
 */
export const transmitAll = (secy: SecY, frames: readonly Uint8Array[], onProgress?: (done: number) => void): TransmitOutcome[] =>
  inBursts(frames, (chunk) => secy.transmitBurst(chunk), onProgress);

/** Validates frames in order through `secy.receiveBurst` (the replay state moves in frame order, as on a wire). */
export const receiveAll = (secy: SecY, frames: readonly Uint8Array[], onProgress?: (done: number) => void): ReceiveOutcome[] =>
  inBursts(frames, (chunk) => secy.receiveBurst(chunk), onProgress);
