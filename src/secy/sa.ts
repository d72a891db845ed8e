/**
 * Secure associations (802.1AE clause 7; their managed objects in 10.7): the SAK's crypto context,
 * made once at installation and wiped at deletion, and the PN state the SecY keeps for it.
 *
 * The PN state is plain numbers (see replay.ts) in public fields, which `SecY.snapshot()`/`restore()`
 * (snapshot.ts) read and set.
 */
import { SaContext } from '../crypto/sa.js';
import type { ConfidentialityOffset } from '../crypto/suite.js';
import { RECEIVE_SC_COUNTERS, TRANSMIT_SC_COUNTERS, zeroCounters, type ReceiveSCCounters, type TransmitSCCounters } from './counters.js';
import { pnBig, type ReplayState } from './replay.js';
import type { AN } from '../wire/sectag.js';

export class TransmitSA {
  /** Upper and lower halves of nextPN (10.7): the PN the next frame gets. */
  nextHi: number;
  nextLo: number;
  /** Set by the KaY (enableTransmit, 10.7). */
  enableTransmit = false;
  /** The "rekey needed" event was raised for this SA (it is raised once). */
  rekeyReported = false;
  /** The SAK's identifier in snapshots (snapshot.ts): a one-way digest, never the key. */
  keyId = '';
  /**
   * The persisted high-water mark (snapshot.ts) as hi/lo: no stored snapshot covers PNs from here on, so the
   * SA refuses to send them. hi is Infinity while the SecY's persistence is not armed.
   */
  limitHi = Infinity;
  limitLo = 0;
  /** The highest resume point a snapshot gave this SA: later snapshots never give a lower one. */
  issuedResume = 0n;
  /** When nextPN reaches this, persistNeeded is raised (half the headroom used); hi Infinity: nothing due. */
  warnHi = Infinity;
  warnLo = 0;
  /**
   * Everything this SA's frames did: packets and octets. 802.1AE keeps only the packet counts per SA; the
   * octets are here so the SC's totals can be the sum over its SAs.
   */
  readonly counters: TransmitSCCounters = zeroCounters(TRANSMIT_SC_COUNTERS);

  constructor(
    readonly an: AN,
    readonly ctx: SaContext,
    nextPN: bigint,
    /** hi of maxPN: 0 for the plain suites, 2^32 - 1 with XPN. */
    private readonly maxHi: number,
  ) {
    this.nextHi = Number(nextPN >> 32n);
    this.nextLo = Number(nextPN & 0xffff_ffffn);
  }

  get nextPN(): bigint {
    return pnBig(this.nextHi, this.nextLo);
  }

  /** The last PN is used up (10.5.2): nextPN = maxPN + 1. The SA never sends again. */
  get exhausted(): boolean {
    return this.nextHi > this.maxHi;
  }

  /** inUse (10.7): enabled for transmit and PNs left. */
  get inUse(): boolean {
    return this.enableTransmit && !this.exhausted;
  }

  /** Forgets the key (10.7: the SAK does not outlive the SA). */
  wipe(): void {
    this.enableTransmit = false;
    this.ctx.wipe();
  }
}

/** Options given to `validate` for this SA; only pnHigh changes per frame. */
export interface MutableValidateOptions {
  sci: Uint8Array;
  pnHigh: number;
  confidentialityOffset: ConfidentialityOffset;
}

export class ReceiveSA implements ReplayState {
  nextHi: number;
  nextLo: number;
  lowestHi = 0;
  lowestLo = 0;
  /** Set by the KaY (enableReceive, 10.7). */
  enableReceive = false;
  /** Everything this SA's frames did (802.1AE shows only RECEIVE_SA_COUNTERS per SA). */
  readonly counters: ReceiveSCCounters = zeroCounters(RECEIVE_SC_COUNTERS);
  /** Reused for every frame: validate() reads it synchronously and keeps nothing. */
  readonly validateOptions: MutableValidateOptions;

  constructor(
    readonly an: number,
    readonly ctx: SaContext,
    /** The transmitting SC's SCI: in the IV of the plain suites. */
    sci: Uint8Array,
    /** Octets of user data in clear when E=1 (10.7). */
    readonly confidentialityOffset: ConfidentialityOffset,
    nextPN: bigint,
  ) {
    this.nextHi = Number(nextPN >> 32n);
    this.nextLo = Number(nextPN & 0xffff_ffffn);
    this.validateOptions = { sci, pnHigh: 0, confidentialityOffset };
  }

  get nextPN(): bigint {
    return pnBig(this.nextHi, this.nextLo);
  }

  get lowestPN(): bigint {
    return pnBig(this.lowestHi, this.lowestLo);
  }

  /** inUse (10.7): enabled for receive. */
  get inUse(): boolean {
    return this.enableReceive;
  }

  wipe(): void {
    this.enableReceive = false;
    this.ctx.wipe();
  }
}
