/** Messages between the link lab page and its worker (structured clone: plain data, bigints allowed). */
import type { PortView, Side } from 'macsec-sim/link';
import type { SecYCounters } from 'macsec-sim/secy';

export type Fate = 'ok' | 'late' | 'bad' | 'other' | 'mka' | 'wire' | 'key' | 'actor';

export interface RunRequest {
  readonly type: 'run';
  readonly doc: unknown;
  readonly seed: number | undefined;
}
export interface ViewRequest {
  readonly type: 'view';
  readonly step: number;
  /** Instead of `step`: the last step at or before this simulated time (playback). */
  readonly atPs?: number;
  readonly token: number;
}
export type Request = RunRequest | ViewRequest;

export interface Row {
  readonly index: number;
  readonly atPs: number;
  readonly text: string;
  readonly fate: Fate;
  /** The frame lab's hash for this frame with that moment's keys; for MACsec frames on the wire. */
  readonly frameLab?: string;
}

export interface StripCell {
  readonly pn: number;
  /** Where the PN stands for the receive SA: below lowestPN (Late), inside the window, or fresh. */
  readonly zone: 'late' | 'window' | 'fresh';
  /** What became of a frame with this PN that arrived (most recent), if one did. */
  readonly seen?: string;
  /** The frame of the current step has this PN. */
  readonly current?: boolean;
  /** Not a PN: PNs left out between the current frame's and the strip's. */
  readonly gap?: boolean;
}

export interface Strip {
  readonly receiver: Side;
  readonly an: number;
  readonly lowestPN: bigint;
  readonly nextPN: bigint;
  readonly replayWindow: number;
  readonly cells: readonly StripCell[];
}

export interface MkpduRow {
  readonly index: number;
  readonly atPs: number;
  readonly from: Side;
  readonly sets: readonly string[];
  readonly verdict: string;
  /** The Distributed SAK's AES-KW(KEK, SAK), hex, when the MKPDU carries one. */
  readonly wrapped?: string;
}

/** A frame between the ports at the moment shown, with what will become of it. */
export interface InFlight {
  readonly from: Side;
  /** 0 just left, 1 arriving. */
  readonly progress: number;
  readonly fate: Fate;
  readonly label: string;
}

export interface StepView {
  readonly step: number;
  readonly total: number;
  readonly atPs: number;
  readonly current: Row;
  readonly ports: Readonly<Record<Side, PortView>>;
  readonly rows: readonly Row[];
  readonly wire: readonly Row[];
  readonly inFlight: readonly InFlight[];
  readonly strip: Strip | undefined;
  readonly sak: Readonly<Record<Side, string>>;
  /** The latest key server election, as a KaY reported it ("" before any). */
  readonly election: string;
  readonly mkpdus: readonly MkpduRow[];
  readonly keyEvents: readonly Row[];
}

export interface RunSummary {
  readonly name: string;
  readonly seed: number;
  /** Steps kept: every event, or every `stride`-th once the run had more than the page keeps. */
  readonly total: number;
  readonly events: number;
  readonly stride: number;
  readonly elapsedPs: number;
  readonly counters: Readonly<Record<Side, Readonly<SecYCounters>>>;
  readonly actors: readonly { side: Side; name: string; touched: number; fate: Record<string, number>; examples: readonly string[] }[];
  readonly lessons: readonly string[];
  readonly pnBudget: { readonly framesPerSecond: number; readonly plainSeconds: number; readonly xpnSeconds: number; readonly frameOctets: number };
  readonly xpn: boolean;
  /** Per direction over the whole run: user frames offered, delivered (once) and lost. */
  readonly delivery: Readonly<Record<'a->b' | 'b->a', { readonly offered: number; readonly delivered: number; readonly lost: number }>>;
  readonly rekeyAtPN: bigint | undefined;
  readonly suite: string;
  readonly mka: boolean;
  /** What each KaY counted over the run (MKPDUs sent, accepted, rejected by reason; SAKs), when there is MKA. */
  readonly kayCounters: Readonly<Record<Side, Readonly<Record<string, unknown>>>> | undefined;
  readonly eavesdropper: readonly string[];
}

export type Reply =
  | { readonly type: 'progress'; readonly done: number }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'ran'; readonly summary: RunSummary }
  | { readonly type: 'view'; readonly token: number; readonly view: StepView };
