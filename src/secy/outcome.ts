/**
 * What became of a frame. Each outcome names the one counter the frame landed in (`counter`); for a drop
 * that counter is the reason. The Uncontrolled Port also sees every received frame (802.1AE 10.6);
 * `kind` reports the Controlled Port's side, except for E=1, C=0 frames, which go to the Uncontrolled Port
 * only.
 */
import { PACKED_CODE_NAMES, PackedCode, type PackedCodeName } from '../crypto/packed.js';
import type { WireError } from '../wire/error.js';

/** The counters of frames for the Controlled Port (10.6.5, and untagged or unknown-SC frames let through, 10.6.1). */
export const RECEIVE_DELIVERED_COUNTERS = ['InPktsOK', 'InPktsDelayed', 'InPktsUnchecked', 'InPktsInvalid', 'InPktsUntagged', 'InPktsUnknownSCI', 'InPktsUnusedSA'] as const;
export type ReceiveDeliveredCounter = (typeof RECEIVE_DELIVERED_COUNTERS)[number];
export type ReceiveDropCounter = 'InPktsNoTag' | 'InPktsBadTag' | 'InPktsNoSCI' | 'InPktsNotUsingSA' | 'InPktsLate' | 'InPktsNotValid' | 'InPktsOverrun';

/** Where a received frame's SecTAG pointed: absent for untagged frames and bad tags. */
export interface ReceiveOrigin {
  /** The SCI the receiver resolved (10.6.1), as 16 hex digits; undefined when the SecTAG implies none (SC=0, ES=0, not point-to-point). */
  readonly sci: string | undefined;
  readonly an: number;
  /** The full PN (recovered with XPN, 10.6.2); undefined where the frame never reached a receive SA. */
  readonly pn: bigint | undefined;
}

export interface ReceiveDelivered {
  readonly kind: 'controlled';
  readonly counter: ReceiveDeliveredCounter;
  /** DA ‖ SA ‖ [clear tags] ‖ user data: the SecTAG and ICV removed (or the frame as received if untagged). */
  readonly frame: Uint8Array;
  readonly origin: ReceiveOrigin | undefined;
}

export interface ReceiveUncontrolled {
  readonly kind: 'uncontrolled';
  /** E=1 with C=0 (9.5: reserved; Linux hands these to the Uncontrolled Port): no 802.1AE counter. */
  readonly counter: 'SimInPktsUncontrolled';
  readonly frame: Uint8Array;
}

export interface ReceiveDropped {
  readonly kind: 'dropped';
  readonly counter: ReceiveDropCounter;
  /** Why, in words. */
  readonly reason: string;
  /** For InPktsBadTag: the rule the SecTAG broke. */
  readonly error: WireError | undefined;
  readonly origin: ReceiveOrigin | undefined;
}

export type ReceiveOutcome = ReceiveDelivered | ReceiveUncontrolled | ReceiveDropped;

/** The counters of frames a SecY puts on the wire. */
export const TRANSMIT_SENT_COUNTERS = ['OutPktsProtected', 'OutPktsEncrypted', 'OutPktsUntagged'] as const;
export type TransmitSentCounter = (typeof TRANSMIT_SENT_COUNTERS)[number];

/** 1 for the packed codes (crypto/packed.ts PackedCode) of `counters`, by code: a frame's fate tested with one load. */
const codeTable = (counters: readonly PackedCodeName[]): Uint8Array => {
  const t = new Uint8Array(PACKED_CODE_NAMES.length);
  for (const c of counters) t[PackedCode[c]] = 1;
  return t;
};
/** By packed code: 1 where the frame went to the Controlled Port. */
export const PACKED_DELIVERED: Uint8Array = codeTable(RECEIVE_DELIVERED_COUNTERS);
/** By packed code: 1 where the frame went on the wire. */
export const PACKED_SENT: Uint8Array = codeTable(TRANSMIT_SENT_COUNTERS);
export type TransmitDropCounter = 'OutPktsTooLong' | 'SimOutPktsNoSA' | 'SimOutPktsPNExhausted';

export interface TransmitSent {
  readonly kind: 'transmitted';
  readonly counter: TransmitSentCounter;
  /** The MPDU for the Common Port (the frame unmodified when protectFrames is off). */
  readonly frame: Uint8Array;
  /** The AN and PN used; undefined for an untagged frame. */
  readonly an: number | undefined;
  readonly pn: bigint | undefined;
}

export interface TransmitDropped {
  readonly kind: 'dropped';
  readonly counter: TransmitDropCounter;
  readonly reason: string;
}

export type TransmitOutcome = TransmitSent | TransmitDropped;

export const isDelivered = (o: ReceiveOutcome): o is ReceiveDelivered => o.kind === 'controlled';
