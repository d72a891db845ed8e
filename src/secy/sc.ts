/**
 * Secure channels (802.1AE 7.1, 10.7): one transmit SC per SecY, receive SCs keyed by SCI; each holds up to
 * four SAs by AN. An SC's counters are `absorbed` (deleted SAs' counts, and frames for an AN with no SA
 * object) plus the sum over its live SAs, so they survive key rollover.
 */
import { sciHex } from '../wire/sci.js';
import {
  RECEIVE_SA_COUNTERS,
  RECEIVE_SC_COUNTERS,
  TRANSMIT_SA_COUNTERS,
  TRANSMIT_SC_COUNTERS,
  addCounters,
  pickCounters,
  zeroCounters,
  type ReceiveSCCounters,
  type ReceiveSCView,
  type TransmitSCCounters,
  type TransmitSCView,
} from './counters.js';
import type { ReceiveSA, TransmitSA } from './sa.js';

export const AN_COUNT = 4;

export class TransmitSC {
  readonly sas: (TransmitSA | undefined)[] = [undefined, undefined, undefined, undefined];
  /** encodingSA (10.7): the AN of the SA that protects the next frame. */
  encodingSA = 0;
  readonly absorbed: TransmitSCCounters = zeroCounters(TRANSMIT_SC_COUNTERS);

  constructor(readonly sci: Uint8Array) {}

  /** Removes the SA, keeps its counts, wipes its key. */
  delete(an: number): void {
    const sa = this.sas[an];
    if (sa === undefined) return;
    addCounters(this.absorbed, sa.counters, TRANSMIT_SC_COUNTERS);
    sa.wipe();
    this.sas[an] = undefined;
  }

  counters(): TransmitSCCounters {
    const c = { ...this.absorbed };
    for (const sa of this.sas) if (sa) addCounters(c, sa.counters, TRANSMIT_SC_COUNTERS);
    return c;
  }

  view(): TransmitSCView {
    const sas = [];
    for (const sa of this.sas) {
      if (sa) sas.push({ an: sa.an, inUse: sa.inUse, counters: pickCounters(sa.counters, TRANSMIT_SA_COUNTERS) });
    }
    return { sci: sciHex(this.sci), encodingSA: this.encodingSA, counters: this.counters(), sas };
  }
}

export class ReceiveSC {
  readonly sas: (ReceiveSA | undefined)[] = [undefined, undefined, undefined, undefined];
  readonly absorbed: ReceiveSCCounters = zeroCounters(RECEIVE_SC_COUNTERS);
  /** The SCI as 16 hex digits. */
  readonly id: string;

  constructor(readonly sci: Uint8Array) {
    this.id = sciHex(sci);
  }

  delete(an: number): void {
    const sa = this.sas[an];
    if (sa === undefined) return;
    addCounters(this.absorbed, sa.counters, RECEIVE_SC_COUNTERS);
    sa.wipe();
    this.sas[an] = undefined;
  }

  /** Deletes every SA (wiping its key); the counts stay in `absorbed`. */
  clear(): void {
    for (let an = 0; an < AN_COUNT; an++) this.delete(an);
  }

  counters(): ReceiveSCCounters {
    const c = { ...this.absorbed };
    for (const sa of this.sas) if (sa) addCounters(c, sa.counters, RECEIVE_SC_COUNTERS);
    return c;
  }

  view(): ReceiveSCView {
    const sas = [];
    for (const sa of this.sas) {
      if (sa) sas.push({ an: sa.an, inUse: sa.inUse, counters: pickCounters(sa.counters, RECEIVE_SA_COUNTERS) });
    }
    return { sci: this.id, counters: this.counters(), sas };
  }
}
