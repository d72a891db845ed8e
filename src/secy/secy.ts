/**
 * The MAC Security Entity (IEEE 802.1AE clause 10): one transmit SC, receive SCs by SCI, the controls of
 * 10.7, secure frame generation (10.5) and verification (10.6), the statistics, and snapshots of transmit
 * state that keep a restarted SecY from reusing a PN (snapshot.ts).
 *
 * This class is a facade over one state record (state.ts) and the modules that work on it:
 * management.ts (10.7), transmit.ts (10.5), receive.ts (10.6), bursts.ts (the same steps over a burst,
 * its crypto in one pass), packed.ts (the same over frames packed in one buffer, outcomes as codes) and
 * persistence.ts. `transmitBurst`/`receiveBurst` and `transmitPacked`/`receivePacked` give exactly the
 * outcomes, counters, frames, PN state and events of `transmit`/`receive` called once per frame.
 *
 * Receive decision table (10.6.1-10.6.5), in the order the checks are made; "deliver" is the Controlled
 * Port, with the SecTAG and ICV removed; C is the SecTAG's C bit (E=1 implies C=1: 9.5):
 *
 *   check (clause)                        | Strict         | Check, C=0          | Check, C=1     | Disabled, C=0        | Disabled, C=1
 *   --------------------------------------+----------------+---------------------+----------------+----------------------+---------------
 *   no SecTAG (10.6, 10.6.1)              | NoTag, drop    | Untagged, deliver the frame as received (no SecTAG, so no C bit)
 *   E=1, C=0 (9.5, reserved)              | to the Uncontrolled Port only, no 802.1AE counter (SimInPktsUncontrolled), every mode
 *   SecTAG not valid (9.12, 10.6.1)       | BadTag, drop in every mode
 *   no receive SC for the SCI (10.6.1)    | NoSCI, drop    | UnknownSCI, deliver | NoSCI, drop    | UnknownSCI, deliver  | NoSCI, drop
 *     (or no SCI implied: SC=0, ES=0 and not point-to-point, 9.5)
 *   no receive SA in use for AN (10.6.1)  | NotUsingSA,drop| UnusedSA, deliver   | NotUsingSA,drop| UnusedSA, deliver    | NotUsingSA,drop
 *   replayProtect, PN < lowestPN (10.6.2) | Late, drop in every mode (with XPN the PN is recovered first, 10.6.2)
 *   validation (10.6.3, 10.6.4)           | validated      | validated           | validated      | not validated        | validated
 *   beyond receiveCapacity (simulator)    | Overrun, drop in every mode, for the frames that are to be validated
 *   replayProtect, PN < lowestPN (10.6.5) | Late, drop in every mode (lowestPN may have moved since 10.6.2)
 *   ICV fails (10.6.5)                    | NotValid, drop | Invalid, deliver    | NotValid, drop | -                    | NotValid, drop
 *   ICV ok, PN < lowestPN (10.6.5)        | Delayed, deliver (reachable only with replayProtect off) | -      | Delayed, deliver
 *   ICV ok (10.6.5)                       | OK, deliver; nextPN = max(nextPN, PN + 1), lowestPN = nextPN - replayWindow
 *   not validated (10.6.5)                | -              | -                   | -              | Unchecked, deliver   | -
 *                                         |                |                     |                | (Delayed if PN < lowestPN)
 *
 * Octets (10.6.5): when validateFrames is not Disabled, a frame that was validated and passed the second
 * replay check adds its user data length to InOctetsDecrypted (E=1) or InOctetsValidated (E=0), whatever
 * the ICV said; this is where Linux counts them too (Linux counts whole frames; we count user data octets,
 * as the standard's definition says).
 *
 * Where this differs from Linux (drivers/net/macsec.c), following the standard:
 * - a bad SecTAG is InPktsBadTag before any SC lookup (Linux counts an unknown SCI first);
 * - XPN PN recovery from lowestPN (802.1AEbw 10.6.2) rather than nextPN with a same-half test, so a frame
 *   with low PN 0 after 0xFFFFFFFF recovers 2^32 and a replay from before lowestPN fails its ICV;
 * - the SCI a SecTAG without one implies (9.5): ES=1 gives source address ‖ port 1, or port 0 with SCB=1
 *   too; ES=0 gives the single receive SC of a point-to-point SecY, else none. Linux takes source
 *   address ‖ port 1 for every SC=0 frame;
 * - a too-long frame is refused before it takes a PN (Linux assigns the PN first);
 * - InOctets and OutOctets count user data octets (Linux counts the whole frame).
 */
import type { BackendName } from '../crypto/backend.js';
import type { PackedOutcomes } from '../crypto/packed.js';
import type { CipherSuite } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import type { PackedFrames } from '../wire/packed.js';
import type { SciInput, SecYControls, SecYOptions } from './controls.js';
import { formatCounters, type FormatOptions, type SecYCountersView } from './counters.js';
import { receiveBurst, transmitBurst } from './bursts.js';
import * as m from './management.js';
import type { ReceiveSAParams, ReceiveSAState, TransmitSAParams, TransmitSAState } from './management.js';
import type { ReceiveOutcome, TransmitOutcome } from './outcome.js';
import * as persistence from './persistence.js';
import { receivedOutcome, receivePacked, transmitPacked } from './packed.js';
import { receiveOne } from './receive.js';
import type { RestoreResult, SnapshotOptions, TransmitSnapshot } from './snapshot.js';
import { createState, dispatchEvents, type SecYEvents, type SecYListener, type SecYState } from './state.js';
import { transmitOne } from './transmit.js';

export type { ReceiveSAParams, ReceiveSAState, TransmitSAParams, TransmitSAState } from './management.js';
export type { PNExhaustedEvent, PersistNeededEvent, RekeyNeededEvent, SecYEvents, SecYListener } from './state.js';
export { findSecTag } from './receive.js';

export class SecY {
  readonly cipherSuite: CipherSuite;
  readonly backend: BackendName;
  private readonly s: SecYState;

  constructor(options: SecYOptions) {
    this.s = createState(options);
    this.cipherSuite = this.s.cipherSuite;
    this.backend = this.s.backend;
  }

  // ---------------------------------------------------------------- controls, status and events (10.7)

  /** This SecY's SCI (its transmit SC's), as a copy. */
  get sci(): Uint8Array {
    return this.s.txSci.slice();
  }

  get controls(): SecYControls {
    return { ...this.s.c };
  }

  /** Changes controls (10.7); every value is checked first, so a ConfigError leaves all of them as they were. */
  setControls(changes: Partial<SecYControls>): void {
    m.setControls(this.s, changes);
  }

  /**
   * MAC_Operational of the Controlled Port as this simulator models it: with protectFrames on, true only
   * while the encoding SA is in use (enabled, PNs left); with protectFrames off, always true.
   */
  get operational(): boolean {
    return m.operational(this.s);
  }

  on<K extends keyof SecYEvents>(event: K, listener: SecYListener<K>): () => void {
    const listeners = this.s.listeners;
    if (!Object.hasOwn(listeners, event)) throw new ConfigError('event', Object.keys(listeners).join(' or '), describe(event));
    const list = listeners[event] as SecYListener<K>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Calls the listeners of events raised since the last call; transmit and transmitBurst call it per frame. */
  dispatchEvents(): void {
    dispatchEvents(this.s);
  }

  // ---------------------------------------------------------------- transmit SC and SAs (KaY operations)

  /** Installs a transmit SA (SAK, AN, initial PN; SSCI and salt with XPN): create_transmit_sa. */
  createTransmitSA(params: TransmitSAParams): void {
    m.createTransmitSA(this.s, params);
  }

  /** Deletes a transmit SA and wipes its key; its counts stay in the SC's totals. */
  deleteTransmitSA(an: number): void {
    m.deleteTransmitSA(this.s, an);
  }

  /** enableTransmit (10.7); enabling an SA also makes it the encoding SA, as wpa_supplicant's Linux driver does. */
  enableTransmitSA(an: number): void {
    m.enableTransmitSA(this.s, an);
  }

  disableTransmitSA(an: number): void {
    m.disableTransmitSA(this.s, an);
  }

  /** Switches the encoding SA (10.7 encodingSA); the SA need not exist yet (frames are refused until it does). */
  setEncodingSA(an: number): void {
    m.setEncodingSA(this.s, an);
  }

  get encodingSA(): number {
    return this.s.tx.encodingSA;
  }

  getTransmitNextPN(an: number): bigint {
    return m.txSA(this.s, an).nextPN;
  }

  /** Moves nextPN forward; never back, since a PN is never used twice under one SAK. */
  setTransmitNextPN(an: number, pn: bigint): void {
    m.setTransmitNextPN(this.s, an, pn);
  }

  transmitSAState(an: number): TransmitSAState | undefined {
    return m.transmitSAState(this.s, an);
  }

  // ---------------------------------------------------------------- receive SCs and SAs (KaY operations)

  createReceiveSC(sci: SciInput): void {
    m.createReceiveSC(this.s, sci);
  }

  /** Deletes a receive SC and all its SAs (keys wiped); its counts stay in the SecY's totals. */
  deleteReceiveSC(sci: SciInput): void {
    m.deleteReceiveSC(this.s, sci);
  }

  receiveSCIs(): string[] {
    return [...this.s.rx.keys()];
  }

  /** Installs a receive SA (SAK, AN, initial PN; SSCI and salt with XPN; confidentialityOffset). */
  createReceiveSA(sci: SciInput, params: ReceiveSAParams): void {
    m.createReceiveSA(this.s, sci, params);
  }

  deleteReceiveSA(sci: SciInput, an: number): void {
    m.deleteReceiveSA(this.s, sci, an);
  }

  enableReceiveSA(sci: SciInput, an: number): void {
    m.rxSA(this.s, sci, an).enableReceive = true;
  }

  disableReceiveSA(sci: SciInput, an: number): void {
    m.rxSA(this.s, sci, an).enableReceive = false;
  }

  getReceiveNextPN(sci: SciInput, an: number): bigint {
    return m.rxSA(this.s, sci, an).nextPN;
  }

  /** Sets nextPN, and lowestPN = nextPN - replayWindow (at least 0). */
  setReceiveNextPN(sci: SciInput, an: number, pn: bigint): void {
    m.setReceiveNextPN(this.s, sci, an, pn);
  }

  getReceiveLowestPN(sci: SciInput, an: number): bigint {
    return m.rxSA(this.s, sci, an).lowestPN;
  }

  /** Sets lowestPN (the KaY's lowest acceptable PN); nextPN moves up to it if below. */
  setReceiveLowestPN(sci: SciInput, an: number, pn: bigint): void {
    m.setReceiveLowestPN(this.s, sci, an, pn);
  }

  receiveSAState(sci: SciInput, an: number): ReceiveSAState | undefined {
    return m.receiveSAState(this.s, sci, an);
  }

  /** Deletes every SA (wiping its key) and every receive SC; the counters stay. */
  destroy(): void {
    m.destroy(this.s);
  }

  // ---------------------------------------------------------------- snapshots of transmit state (persistence.ts)

  /** The transmit state to store so that a SecY restarted under the same SAKs never reuses a PN (persistence.ts). */
  snapshot(options: SnapshotOptions = {}): TransmitSnapshot {
    return persistence.snapshot(this.s, options);
  }

  /** Says `snapshot` is stored durably: each of its SAs may now send PNs up to its resume point (persistence.ts). */
  persisted(snapshot: TransmitSnapshot): void {
    persistence.persisted(this.s, snapshot);
  }

  /** Restores transmit state from a stored snapshot, after a clean stop or a crash (persistence.ts). */
  restore(snapshot: unknown): RestoreResult {
    return persistence.restore(this.s, snapshot);
  }

  // ---------------------------------------------------------------- transmit (10.5) and receive (10.6)

  /** Protects one frame (DA ‖ SA ‖ user data) with the encoding SA. */
  transmit(frame: Uint8Array): TransmitOutcome {
    return transmitOne(this.s, frame);
  }

  /**
   * Protects frames in order (PNs assigned in order); checks every frame's shape before sending any. The
   * crypto runs in one pass per run of frames on the SecY's executor; events are dispatched as `transmit`
   * dispatches them (bursts.ts). The MPDUs returned are views into one buffer per run (crypto/burst.ts).
   */
  transmitBurst(frames: readonly Uint8Array[]): TransmitOutcome[] {
    return transmitBurst(this.s, frames);
  }

  /**
   * transmitBurst over packed frames (packed.ts): input frames 0 .. input.count - 1 protected into
   * output.data (room: each frame's length + 32), output.offsets/lengths filled (length 0: no output),
   * each frame's outcome in outcomes.codes (PackedCode) and its PN in outcomes.pnHigh/pnLow. The caller
   * owns every buffer; nothing is allocated per frame in the common case. With a `BurstPool` as the
   * executor, each kernel call is split between threads and every array must be on a SharedArrayBuffer.
   */
  transmitPacked(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
    transmitPacked(this.s, input, output, outcomes);
  }

  /** Verifies one frame from the Common Port. Never throws on frame contents. */
  receive(frame: Uint8Array): ReceiveOutcome {
    // Frame contents never throw, but something that is not octets at all is the caller's mistake.
    if (!(frame instanceof Uint8Array)) throw new ConfigError('frame', 'a Uint8Array', describe(frame));
    this.s.budget = this.s.c.receiveCapacity;
    return receiveOne(this.s, frame);
  }

  /**
   * Verifies frames in order (replay state moves in order); `receiveCapacity` applies to the burst. The
   * validation runs in one pass per receive SA on the SecY's executor (bursts.ts). The frames delivered
   * are views into one buffer per run (crypto/burst.ts).
   */
  receiveBurst(frames: readonly Uint8Array[]): ReceiveOutcome[] {
    return receiveBurst(this.s, frames);
  }

  /**
   * receiveBurst over packed frames (packed.ts): input frames 0 .. input.count - 1 verified, each
   * frame's outcome in outcomes.codes (PackedCode) and its PN in outcomes.pnHigh/pnLow, the frames for
   * the Controlled (or Uncontrolled) Port in output.data (room: each frame's length + 32) at
   * output.offsets/lengths (length 0: dropped). Never throws on frame contents. With a `BurstPool` as
   * the executor, as transmitPacked (frames may then lie at other offsets, each with the same octets).
   */
  receivePacked(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes): void {
    receivePacked(this.s, input, output, outcomes);
  }

  /**
   * The outcome `receive`/`receiveBurst` give frame k of the last receivePacked call (its input, output
   * and outcomes, with outcomes.reasons), rebuilt for a listing: the reason and origin a code leaves out.
   * Valid until the receive SCs or controls change.
   */
  receivedOutcome(input: PackedFrames, output: PackedFrames, outcomes: PackedOutcomes, k: number): ReceiveOutcome {
    return receivedOutcome(this.s, input, output, outcomes, k);
  }

  // ---------------------------------------------------------------- statistics

  /** Every counter, per SecY, per SC and per SA, as a plain JSON-safe object. */
  counters(): SecYCountersView {
    return m.countersView(this.s);
  }

  /** The counters as the table `formatCounters` prints. */
  formatCounters(options?: FormatOptions): string {
    return formatCounters(this.counters(), options);
  }
}
