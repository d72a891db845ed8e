/**
 * Validating an MKA-keyed capture from the CAK alone (`validate --cak`, `explain --in --cak`): a passive
 * observer of the link that holds the CAK, as Wireshark 4.2 does. From the CAK and CKN it derives the ICK
 * and KEK (802.1X 9.3.3); each MKPDU's ICV is checked (11.11.2); each Distributed SAK is unwrapped with the
 * KEK (9.8, RFC 3394) and installed, under its AN, as a receive SA on the SC of every participant, so every
 * MACsec frame is validated with the SAK in force when it was sent. Rekeys replace the SA of their AN.
 * Frames before the first SAK are reported as such: there was no key to check them with.
 */
import type { CaptureRecord } from '../capture/index.js';
import type { BackendName } from '../crypto/backend.js';
import { SaContext, type SaKey } from '../crypto/sa.js';
import { CIPHER_SUITES, cipherSuiteById, type CipherSuite, type ConfidentialityOffset } from '../crypto/suite.js';
import type { KeyResolver } from '../explain/explain.js';
import { assignSsci, constantTimeEqual, deriveCakKeys, ssciOctets, unwrapSak, xpnSalt, type CakKeys } from '../mka/keys.js';
import { confidentialityOffsetOf, EAPOL_MKA, parseMkpdu, type DistributedSak, type DistributedSakKey, type Mkpdu } from '../mka/mkpdu.js';
import { recoverPNHigh, pnBig, pnHi, pnLo } from '../secy/replay.js';
import { SecY, type ReceiveOutcome, type SecYCountersView } from '../secy/index.js';
import { ConfigError, UsageError } from '../util/errors.js';
import { toHex } from '../util/hex.js';
import { EtherType, ETHERTYPE_OFFSET, readU16 } from '../wire/ethernet.js';
import { formatSci, implicitSci, sciHex } from '../wire/sci.js';
import { controlsText, receiverState, type ReceiverState } from './explain-capture.js';
import { frameResult, VALIDATE_FRAMES_OPTION, type ReceiveControlOptions, type ReceiveFrameResult } from './receiver.js';

/** A SAK as the MKPDUs distributed it: its key identifier (key server MI, KN), AN, suite and offset. */
export interface SakRow {
  /** The capture frame whose Distributed SAK first carried it. */
  readonly frame: number;
  readonly kn: number;
  readonly an: number;
  readonly keyServerMi: string;
  readonly keyServerSci: string;
  readonly cipherSuite: CipherSuite['name'];
  /** undefined: integrity only (Confidentiality Offset code 0). */
  readonly confidentialityOffset: ConfidentialityOffset | undefined;
  /** XPN: each participant's SSCI (by SCI) and the salt, from the MKPDUs (802.1X-2020 9.8, 802.1AE 10.7.28). */
  readonly sscis?: Readonly<Record<string, number>>;
  readonly salt?: string;
  /** The SAK itself, only when asked for (--show-keys). */
  readonly key?: string;
}

/** An MKA participant seen in the capture (its Basic Parameter Set). */
export interface ParticipantRow {
  readonly sci: string;
  readonly mi: string;
  readonly keyServerPriority: number;
  /** SAKs it distributed as key server (installed here). */
  readonly saks: number;
  readonly mkpdus: number;
}

/** What became of one record: a receive result, an MKPDU, or a frame sent before any SAK. */
export type MkaFrameResult =
  | ReceiveFrameResult
  | { readonly frame: number; readonly result: 'mkpdu'; readonly counter: undefined; readonly sci: string; readonly mi: string; readonly mn: number; readonly note: string }
  | { readonly frame: number; readonly result: 'mkpdu-rejected' | 'mkpdu-other-ca'; readonly counter: undefined; readonly reason: string }
  | { readonly frame: number; readonly result: 'before-sak'; readonly counter: undefined; readonly reason: string };

export interface MkaObserverOptions {
  readonly cak: Uint8Array;
  readonly ckn: Uint8Array;
  readonly controls: ReceiveControlOptions;
  readonly backend: BackendName;
  /** Keep each SAK in its row (--show-keys). */
  readonly showKeys?: boolean;
}

interface Participant {
  readonly sci: Uint8Array;
  readonly mi: Uint8Array;
  keyServerPriority: number;
  saks: number;
  mn: number;
  mkpdus: number;
}

/** A SAK installed under an AN, with what each receive SA needs. */
interface InstalledSak {
  readonly row: SakRow;
  readonly suite: CipherSuite;
  readonly sak: Uint8Array;
  readonly salt: Uint8Array | undefined;
  /** The SCIs sharing the SAK, for SSCIs: the key server's and its Live Peers' (802.1X-2020 9.8). */
  readonly scis: readonly Uint8Array[];
  /** SaContexts for explain, by SCI. */
  readonly contexts: Map<string, { readonly key: SaKey; readonly sa: SaContext }>;
}

const isMkpdu = (data: Uint8Array): boolean =>
  data.length > ETHERTYPE_OFFSET + 3 && readU16(data, ETHERTYPE_OFFSET) === EtherType.EAPOL && data[ETHERTYPE_OFFSET + 3] === EAPOL_MKA;

const isMacsec = (data: Uint8Array): boolean => data.length >= ETHERTYPE_OFFSET + 2 && readU16(data, ETHERTYPE_OFFSET) === EtherType.MACsec;

/**
 * The observer: hand it the records of a capture in order (`receiveRecords` in bursts, or `receive` one
 * at a time). It keeps one receive SecY, made with the first SAK's cipher suite (a passive receiver on
 * every SC; its own SCI is never used).
 */
export class MkaObserver {
  private readonly keys: CakKeys;
  private readonly ckn: Uint8Array;
  private readonly participants = new Map<string, Participant>();
  private readonly installed = new Map<number, InstalledSak>();
  private readonly rows: SakRow[] = [];
  private secy: SecY | undefined;
  /** The SecY's outcome for the record of the last `receive`, for `keyResolver`. */
  private current: ReceiveOutcome | undefined;
  private readonly controls: string;

  constructor(private readonly options: MkaObserverOptions) {
    this.keys = deriveCakKeys(options.cak, options.ckn);
    this.ckn = options.ckn.slice();
    if (VALIDATE_FRAMES_OPTION[options.controls.validateFrames] === undefined) {
      throw new UsageError(`--validate-frames: expected strict, check or disabled, got ${JSON.stringify(options.controls.validateFrames)}`);
    }
    // Made now to check the controls before any work; the SecY itself comes with the first SAK's suite.
    this.controls = controlsText(this.makeSecY(CIPHER_SUITES['GCM-AES-128']));
  }

  private makeSecY(suite: CipherSuite): SecY {
    const c = this.options.controls;
    try {
      return new SecY({
        sci: new Uint8Array(8),
        cipherSuite: suite,
        backend: this.options.backend,
        validateFrames: VALIDATE_FRAMES_OPTION[c.validateFrames]!,
        replayWindow: c.replayWindow,
        replayProtect: c.replayProtect,
      });
    } catch (e) {
      if (e instanceof ConfigError && e.field === 'replayWindow') throw new UsageError(`--replay-window: expected ${e.expected}, got ${e.found}`);
      throw e;
    }
  }

  /** The SAKs in the order they were first distributed. */
  saks(): readonly SakRow[] {
    return this.rows;
  }

  participantRows(): ParticipantRow[] {
    return [...this.participants.values()].map((p) => ({ sci: sciHex(p.sci), mi: toHex(p.mi), keyServerPriority: p.keyServerPriority, saks: p.saks, mkpdus: p.mkpdus }));
  }

  /** The receive SecY's counters (undefined before the first SAK). */
  counters(): SecYCountersView | undefined {
    return this.secy?.counters();
  }

  /** One record, in capture order; `frame` numbers it from 1. `keyResolver` then explains it with the SecY's outcome. */
  receive(record: CaptureRecord, frame: number): MkaFrameResult {
    const r = this.receiveRecords([record], frame)[0]!;
    if (!('kind' in r)) return r;
    this.current = r;
    return frameResult(frame, r);
  }

  /**
   * Records in capture order, numbered from `firstFrame`: MKPDUs handled as they come, and the frames
   * between two MKPDUs received as one burst, as the SAs change only at MKPDUs. One entry per record: the
   * SecY's outcome for a frame it received, else the record's row.
   */
  receiveRecords(records: readonly CaptureRecord[], firstFrame: number): (ReceiveOutcome | MkaFrameResult)[] {
    this.current = undefined;
    const out: (ReceiveOutcome | MkaFrameResult)[] = new Array(records.length);
    const at: number[] = [];
    const frames: Uint8Array[] = [];
    const flush = (): void => {
      if (frames.length === 0 || this.secy === undefined) return;
      this.secy.receiveBurst(frames).forEach((o, k) => (out[at[k]!] = o));
      at.length = 0;
      frames.length = 0;
    };
    records.forEach((record, i) => {
      const frame = firstFrame + i;
      const data = record.data;
      if (record.truncated) {
        out[i] = { frame, result: 'skipped', counter: undefined, reason: `truncated in the capture: ${data.length} of ${record.originalLength} octets captured` };
      } else if (isMkpdu(data)) {
        flush();
        out[i] = this.mkpdu(data, frame);
      } else if (this.secy === undefined) {
        const reason = isMacsec(data)
          ? 'MACsec frame sent before the first SAK in the capture: no key to check it with'
          : 'not MACsec, sent before the first SAK in the capture (the link was not yet secured)';
        out[i] = { frame, result: 'before-sak', counter: undefined, reason };
      } else {
        at.push(i);
        frames.push(data);
      }
    });
    flush();
    return out;
  }

  /**
   * Only the MKPDUs of `records` (numbered from `firstFrame`), the other records left out: the SAKs and
   * participants (`saks()`, `participantRows()`) come from MKPDUs alone, so a first pass over a capture this
   * way gives them as the whole run will end with.
   */
  takeMkpdus(records: readonly CaptureRecord[], firstFrame: number): void {
    records.forEach((r, i) => {
      if (!r.truncated && isMkpdu(r.data)) this.mkpdu(r.data, firstFrame + i);
    });
  }

  private lookupIck = (ckn: Uint8Array): Uint8Array | undefined => (constantTimeEqual(ckn, this.ckn) ? this.keys.ick : undefined);

  private mkpdu(data: Uint8Array, frame: number): MkaFrameResult {
    const parsed = parseMkpdu(data, this.lookupIck);
    if (!parsed.ok) {
      const e = parsed.error;
      if (e.code === 'UNKNOWN_CKN') return { frame, result: 'mkpdu-other-ca', counter: undefined, reason: `MKPDU of another CA: its CKN is not ${toHex(this.ckn)}` };
      return { frame, result: 'mkpdu-rejected', counter: undefined, reason: `MKPDU rejected: ${e.message}` };
    }
    const m = parsed.value;
    const b = m.basic;
    const miHex = toHex(b.mi);
    let p = this.participants.get(miHex);
    if (p !== undefined && b.mn <= p.mn) {
      return { frame, result: 'mkpdu-rejected', counter: undefined, reason: `MKPDU rejected: MN ${b.mn} from MI ${miHex} not above ${p.mn} (9.4.3: a replay)` };
    }
    if (p === undefined) {
      p = { sci: b.sci.slice(), mi: b.mi.slice(), keyServerPriority: b.keyServerPriority, saks: 0, mn: b.mn, mkpdus: 0 };
      this.participants.set(miHex, p);
      const secy = this.secy; // there is one once a SAK is installed
      if (secy !== undefined) for (const sak of this.installed.values()) this.installFor(secy, sak, p.sci); // a participant heard only now
    }
    p.mn = b.mn;
    p.mkpdus++;
    p.keyServerPriority = b.keyServerPriority;
    const notes = [`ICV verified${b.keyServer ? ', key server' : ''}`];
    if (m.distributedSak?.key !== undefined) {
      const sak = this.distributed(m, m.distributedSak, m.distributedSak.key, p, frame);
      if ('refused' in sak) return { frame, result: 'mkpdu-rejected', counter: undefined, reason: `MKPDU from SCI ${sciHex(b.sci)}: ${sak.refused}` };
      notes.push(sak.note);
    }
    return { frame, result: 'mkpdu', counter: undefined, sci: sciHex(b.sci), mi: miHex, mn: b.mn, note: notes.join('; ') };
  }

  /** Unwraps and installs a Distributed SAK: a note on what happened, or why it was refused. */
  private distributed(m: Mkpdu, d: DistributedSak, k: DistributedSakKey, sender: { saks: number }, frame: number): { readonly note: string } | { readonly refused: string } {
    const b = m.basic;
    if (!b.keyServer) return { refused: `Distributed SAK KN ${k.kn} from a participant not claiming to be key server (9.8): ignored` };
    let suite: CipherSuite = CIPHER_SUITES['GCM-AES-128'];
    if (k.cipherSuite !== undefined) {
      const named = cipherSuiteById(k.cipherSuite);
      if (named === undefined) return { refused: `Distributed SAK KN ${k.kn}: unknown cipher suite 0x${k.cipherSuite.toString(16).padStart(16, '0')}` };
      suite = named;
    }
    const existing = this.installed.get(d.an);
    if (existing !== undefined && existing.row.kn === k.kn && existing.row.keyServerMi === toHex(b.mi)) return { note: `Distributed SAK KN ${k.kn}, AN ${d.an} again (already installed)` };
    if (this.secy !== undefined && this.secy.cipherSuite.id !== suite.id) {
      return { refused: `Distributed SAK KN ${k.kn} names ${suite.name}, the SAs so far ${this.secy.cipherSuite.name}: a change of cipher suite is not followed` };
    }
    const unwrapped = unwrapSak(this.keys.kek, k.wrappedSak);
    if (!unwrapped.ok) return { refused: `Distributed SAK KN ${k.kn} does not unwrap under the KEK: ${unwrapped.error.message}` };
    const sak = unwrapped.value;
    if (sak.length !== suite.keyLength) return { refused: `Distributed SAK KN ${k.kn}: a ${sak.length}-octet SAK for ${suite.name}` };
    const secy = (this.secy ??= this.makeSecY(suite));
    // The SCIs sharing the SAK: the key server's and its Live Peers' (the SSCIs follow from them, 802.1X-2020 9.8).
    const scis = [b.sci, ...(m.livePeers?.peers ?? []).flatMap((e) => this.participants.get(toHex(e.mi))?.sci ?? [])];
    const salt = suite.xpn ? xpnSalt(b.mi, k.kn) : undefined;
    const offset = confidentialityOffsetOf(d.confidentialityOffset);
    const row: SakRow = {
      frame,
      kn: k.kn,
      an: d.an,
      keyServerMi: toHex(b.mi),
      keyServerSci: sciHex(b.sci),
      cipherSuite: suite.name,
      confidentialityOffset: offset,
      ...(salt !== undefined ? { sscis: Object.fromEntries(scis.map((s) => [sciHex(s), assignSsci(s, scis)])), salt: toHex(salt) } : {}),
      ...(this.options.showKeys === true ? { key: toHex(sak) } : {}),
    };
    const entry: InstalledSak = { row, suite, sak, salt, scis, contexts: new Map() };
    if (existing !== undefined) for (const c of existing.contexts.values()) c.sa.wipe();
    this.installed.set(d.an, entry);
    this.rows.push(row);
    sender.saks++;
    for (const p of this.participants.values()) this.installFor(secy, entry, p.sci);
    return { note: `Distributed SAK KN ${k.kn}, AN ${d.an} (${suite.name}, ${offset === undefined ? 'integrity only' : `confidentiality offset ${offset}`}) unwrapped and installed on ${this.participants.size} receive SC${this.participants.size === 1 ? '' : 's'}` };
  }

  /** A receive SA for the SAK on `sci`'s receive SC, replacing any SA of that AN (a rekey). */
  private installFor(secy: SecY, sak: InstalledSak, sci: Uint8Array): void {
    const hex = sciHex(sci);
    if (!secy.receiveSCIs().includes(hex)) secy.createReceiveSC(sci);
    const an = sak.row.an;
    if (secy.receiveSAState(sci, an) !== undefined) secy.deleteReceiveSA(sci, an);
    secy.createReceiveSA(sci, {
      an,
      sak: sak.sak,
      nextPN: 1n,
      confidentialityOffset: sak.row.confidentialityOffset ?? 0,
      ...(sak.salt !== undefined ? { ssci: this.ssci(sak, sci), salt: sak.salt } : {}),
      enable: true,
    });
  }

  private ssci(sak: InstalledSak, sci: Uint8Array): Uint8Array {
    const scis = sak.scis.some((s) => sciHex(s) === sciHex(sci)) ? sak.scis : [...sak.scis, sci];
    return ssciOctets(assignSsci(sci, scis));
  }

  /**
   * The keys in force now, for explaining the frame just received: its SC's SA under the frame's AN, with
   * the PN the SecY recovered (XPN: from lowestPN, 10.6.2).
   */
  readonly keyResolver: KeyResolver = (frame, layout) => {
    const tag = layout.secTag;
    const single = this.participants.size === 1 ? [...this.participants.values()][0]!.sci : undefined;
    const sci = tag.sci ?? implicitSci(frame, tag.tci) ?? single;
    if (sci === undefined) return { missing: 'no SCI in the SecTAG and more than one participant' };
    const sak = this.installed.get(tag.an);
    if (sak === undefined) return { missing: `no SAK distributed under AN ${tag.an} so far in the capture` };
    const hex = sciHex(sci);
    let context = sak.contexts.get(hex);
    if (context === undefined) {
      const key: SaKey = { suite: sak.suite, key: sak.sak, ...(sak.salt !== undefined ? { ssci: this.ssci(sak, sci), salt: sak.salt } : {}) };
      context = { key, sa: new SaContext(key, this.options.backend) };
      sak.contexts.set(hex, context);
    }
    const { sa, key } = context;
    const o = this.current;
    const recovered = o !== undefined && o.kind !== 'uncontrolled' && o.origin !== undefined && o.origin.sci === hex && o.origin.an === tag.an ? o.origin.pn : undefined;
    const state = this.secy?.receiveSAState(sci, tag.an);
    const pn =
      recovered ??
      (state !== undefined ? pnBig(recoverPNHigh(sak.suite.xpn, { nextHi: 0, nextLo: 0, lowestHi: pnHi(state.lowestPN), lowestLo: pnLo(state.lowestPN) }, tag.pn), tag.pn) : BigInt(tag.pn));
    return {
      sa,
      key,
      sci,
      pn,
      confidentialityOffset: sak.row.confidentialityOffset ?? 0,
      description: `SAK KN ${sak.row.kn} (key server ${sak.row.keyServerSci}), receive SC ${formatSci(sci)}, AN ${tag.an}`,
    };
  };

  /** The receive controls in words (for verdicts). */
  controlsText(): string {
    return this.controls;
  }

  /** What each receive SA expects now, and the counters; undefined before the first SAK. */
  receiverState(afterFrame: number): ReceiverState | undefined {
    return this.secy !== undefined ? receiverState(this.secy, afterFrame) : undefined;
  }

  /** The suite of the SAs (for PN 0 in XPN explanations). */
  get xpn(): boolean {
    return this.secy?.cipherSuite.xpn ?? false;
  }
}
