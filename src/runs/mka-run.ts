/**
 * The runs of an MKA-keyed capture (see mka-capture.ts): `validate --cak` (every record through the
 * observer, what reached the Controlled Port as the output capture) and `explain --in --cak` (each frame's
 * tree, with the observer's verdict and the SAK in force), and what both print.
 */
import type { CaptureReader, CaptureRecord, WritableRecord } from '../capture/index.js';
import { BURST_FRAMES } from '../config/secy-builder.js';
import { explainFrame } from '../explain/explain.js';
import type { ExplainNode } from '../explain/tree.js';
import type { IckLookup } from '../mka/mkpdu.js';
import { formatCounters, type ReceiveOutcome, type SecYCountersView } from '../secy/index.js';
import type { Keep, StreamOptions } from './capture-run.js';
import type { OutputCapture } from './files.js';
import { checkFrameNumber, countRecords, receiverNode, type ExplainedFrame, type ExplainSummary } from './explain-capture.js';
import type { MkaFrameResult, MkaObserver, ParticipantRow, SakRow } from './mka-capture.js';
import { LISTED_FRAMES, type RunFiles } from './report.js';
import { frameResult, originText } from './receiver.js';

/**
 * What validate --cak found. Besides the counters it keeps rows only as plain validate does: every row for
 * --json, else the first failures listed; the SAKs and participants grow only with the key events and the
 * MKA participants (their MKPDUs must verify under the ICK), never with the frames.
 */
export interface MkaValidateRun {
  /** Records in the capture. */
  readonly frames: number;
  /** One row per record, in capture order, when every row is kept (--json); else empty. */
  readonly results: readonly MkaFrameResult[];
  /** Frames that reached the Controlled Port (user data): the output capture's records. */
  readonly delivered: number;
  /** Rows of records that did not go through (dropped, uncontrolled, cut short, MKPDUs rejected): all when every row is kept, else the first `listed`. */
  readonly failed: readonly MkaFrameResult[];
  readonly failedCount: number;
  /** MKPDUs verified. */
  readonly mkpdus: number;
  /** MKPDUs rejected or of another CA. */
  readonly otherMkpdus: number;
  readonly beforeSak: number;
  /** The first frame sent before the first SAK, if any. */
  readonly firstBeforeSak: number | undefined;
  readonly saks: readonly SakRow[];
  readonly participants: readonly ParticipantRow[];
  /** The receive SecY's counters; undefined when no SAK was ever distributed. */
  readonly counters: SecYCountersView | undefined;
}

const FAILED = new Set<MkaFrameResult['result']>(['dropped', 'uncontrolled', 'skipped', 'mkpdu-rejected']);

type Tally = { -readonly [K in 'frames' | 'delivered' | 'failedCount' | 'mkpdus' | 'otherMkpdus' | 'beforeSak' | 'firstBeforeSak']: MkaValidateRun[K] };

/** One burst of records through `observer`: the tally and rows kept move on; returns what reached the Controlled Port. */
function validateBurst(observer: MkaObserver, records: readonly CaptureRecord[], t: Tally, keep: Omit<Keep, 'written'>, results: MkaFrameResult[], failed: MkaFrameResult[]): WritableRecord[] {
  const output: WritableRecord[] = [];
  observer.receiveRecords(records, t.frames + 1).forEach((x: ReceiveOutcome | MkaFrameResult, i) => {
    const frame = t.frames + i + 1;
    let notThrough: boolean;
    if ('kind' in x) {
      notThrough = x.kind !== 'controlled';
      if (x.kind === 'controlled') output.push({ data: x.frame, timestampNs: records[i]!.timestampNs });
    } else {
      notThrough = FAILED.has(x.result);
      if (x.result === 'mkpdu') t.mkpdus++;
      else if (x.result === 'mkpdu-rejected' || x.result === 'mkpdu-other-ca') t.otherMkpdus++;
      else if (x.result === 'before-sak') {
        t.beforeSak++;
        t.firstBeforeSak ??= frame;
      }
    }
    const listed = notThrough && (keep.rows || failed.length < keep.listed);
    if (keep.rows || listed) {
      const row = 'kind' in x ? frameResult(frame, x) : x;
      if (keep.rows) results.push(row);
      if (listed) failed.push(row);
    }
    if (notThrough) t.failedCount++;
  });
  t.frames += records.length;
  t.delivered += output.length;
  return output;
}

/**
 * Every record of `reader` through `observer`, in capture order, burst by burst as it is read; what
 * reached the Controlled Port goes to `sink` (if any) as it comes, with the input timestamps.
 */
export async function validateMkaStream(observer: MkaObserver, reader: CaptureReader, sink: Pick<OutputCapture, 'write'> | undefined, options: StreamOptions): Promise<MkaValidateRun> {
  const t: Tally = { frames: 0, delivered: 0, failedCount: 0, mkpdus: 0, otherMkpdus: 0, beforeSak: 0, firstBeforeSak: undefined };
  const results: MkaFrameResult[] = [];
  const failed: MkaFrameResult[] = [];
  // Views, not copies: a burst is run and written before the next read moves the reader's buffer.
  for (let batch = await reader.nextBatch(BURST_FRAMES); batch.count > 0; batch = await reader.nextBatch(BURST_FRAMES)) {
    const records = Array.from({ length: batch.count }, (_, i) => batch.record(i, true));
    const output = validateBurst(observer, records, t, options.keep, results, failed);
    if (sink !== undefined && output.length > 0) await sink.write(output);
    options.onBurst?.(reader.offset, batch);
  }
  return { ...t, results, failed, saks: observer.saks(), participants: observer.participantRows(), counters: observer.counters() };
}

/** The SAKs and the participants, as text: key identifiers only, the key only if it was kept (--show-keys). */
export function renderMkaKeys(saks: readonly SakRow[], participants: readonly ParticipantRow[]): string[] {
  const out = ['MKA participants (from their MKPDUs):'];
  for (const p of participants) {
    out.push(`  SCI ${p.sci}, MI ${p.mi}, key server priority ${p.keyServerPriority}${p.saks > 0 ? `, key server (${p.saks} SAK${p.saks === 1 ? '' : 's'})` : ''}, ${p.mkpdus} MKPDU${p.mkpdus === 1 ? '' : 's'}`);
  }
  if (participants.length === 0) out.push('  none: no MKPDU of this CA verified (wrong CAK or CKN?)');
  const shown = saks.some((s) => s.key !== undefined);
  out.push(`SAKs distributed${shown ? '' : ' (the keys themselves are not shown: --show-keys)'}:`);
  for (const s of saks) {
    const mode = s.confidentialityOffset === undefined ? 'integrity only' : `confidentiality offset ${s.confidentialityOffset}`;
    const xpn = s.sscis !== undefined ? `, SSCIs ${Object.entries(s.sscis).map(([sci, n]) => `${sci}=${n}`).join(' ')}, salt ${s.salt}` : '';
    out.push(`  KN ${s.kn}, AN ${s.an}: key server SCI ${s.keyServerSci} (MI ${s.keyServerMi}), ${s.cipherSuite}, ${mode}${xpn}, from frame ${s.frame}${s.key !== undefined ? `, SAK ${s.key}` : ''}`);
  }
  if (saks.length === 0) out.push('  none');
  return out;
}

function listed(r: MkaFrameResult): string {
  const where = 'sci' in r && r.result !== 'mkpdu' ? originText(r) : undefined;
  const reason = 'reason' in r ? r.reason : '';
  return `${r.result}: frame ${r.frame}: ${r.counter !== undefined ? `${r.counter}: ` : ''}${reason ?? ''}${where !== undefined ? ` [${where}]` : ''}`;
}

/** validate --cak as text: participants and SAKs, the per-SC counters, the frames not delivered, a summary. */
export function renderMkaValidateReport(run: MkaValidateRun, files: RunFiles): string {
  const out = [...renderMkaKeys(run.saks, run.participants), ''];
  if (run.counters !== undefined) out.push('Counters of a receiver on this link, per receive SC (its own SCI and TXSC unused):', formatCounters(run.counters), '');
  out.push(...run.failed.slice(0, LISTED_FRAMES).map(listed));
  if (run.failedCount > LISTED_FRAMES) out.push(`... and ${run.failedCount - LISTED_FRAMES} more (--json lists every frame)`);
  if (run.firstBeforeSak !== undefined) out.push(`${run.beforeSak} frame${run.beforeSak === 1 ? '' : 's'} before the first SAK (not checked: no key yet), the first: frame ${run.firstBeforeSak}`);
  const macsec = run.frames - run.mkpdus - run.otherMkpdus - run.beforeSak;
  out.push(
    `validate: ${run.frames} frames from ${files.input} (${files.format}): ${run.mkpdus} MKPDUs verified, ${run.saks.length} SAK${run.saks.length === 1 ? '' : 's'}; ` +
      `${macsec} frames after the first SAK: ${run.delivered} reached the Controlled Port, ${run.failedCount} not` +
      `${run.beforeSak > 0 ? `; ${run.beforeSak} before the first SAK` : ''}${files.output !== undefined ? ` -> ${files.output}` : ''}`,
  );
  return `${out.join('\n')}\n`;
}

/** validate --cak --json. */
export function mkaValidateReportJson(run: MkaValidateRun, files: RunFiles): Record<string, unknown> {
  return {
    input: { file: files.input, format: files.format, frames: run.frames },
    output: files.output !== undefined ? { file: files.output, frames: run.delivered } : null,
    participants: run.participants,
    saks: run.saks,
    mkpdus: run.mkpdus,
    delivered: run.delivered,
    notDelivered: run.failedCount,
    beforeFirstSak: run.beforeSak,
    counters: run.counters ?? null,
    frames: run.results,
  };
}

export interface MkaExplainOptions {
  /** Only this frame (1-based); default every frame. */
  readonly frame?: number | undefined;
  /** Frames in the capture, when known (every frame: see scanMkaCapture). */
  readonly total?: number | undefined;
  readonly mkaIck: IckLookup;
  /** Called after each burst read with the octets of the input consumed so far; reading goes on once it resolves. */
  readonly onBurst?: (offset: number) => Promise<void>;
}

function mkaNode(r: MkaFrameResult): ExplainNode {
  if (r.result === 'mkpdu') return { label: 'MKA', value: `MKPDU from SCI ${r.sci}, MN ${r.mn}`, status: 'ok', note: r.note };
  if (r.result === 'before-sak') return { label: 'Receiver', value: 'before the first SAK', status: 'warn', note: r.reason };
  return { label: 'MKA', value: r.result === 'mkpdu-other-ca' ? 'another CA' : 'MKPDU rejected', status: r.result === 'mkpdu-other-ca' ? 'warn' : 'bad', note: 'reason' in r ? r.reason : '' };
}

/**
 * Counts the records of `reader` and takes its MKPDUs (MkaObserver.takeMkpdus): a first pass, so that the
 * SAKs and participants the whole run will end with are known before the first frame is printed.
 */
export async function scanMkaCapture(reader: CaptureReader, observer: MkaObserver): Promise<number> {
  let n = 0;
  for (let b = await reader.next(BURST_FRAMES, true); b.length > 0; b = await reader.next(BURST_FRAMES, true)) {
    observer.takeMkpdus(b, n + 1);
    n += b.length;
  }
  return n;
}

/**
 * explain --in --cak on a capture as it is read: every frame (or frame N, after frames 1..N-1 went through
 * the observer in bursts, reading no further) explained with the SAK in force when it was sent, and the
 * observer's verdict as the last node. A bad --frame is a UsageError naming the capture's frame count.
 */
export async function explainMkaStream(reader: CaptureReader, observer: MkaObserver, options: MkaExplainOptions, onFrame: (f: ExplainedFrame) => void): Promise<ExplainSummary> {
  const frame = options.frame;
  if (frame !== undefined && !(Number.isInteger(frame) && frame >= 1)) checkFrameNumber(frame, await countRecords(reader), 'the capture');
  const controls = observer.controlsText();
  let n = 0;
  // Frames before N only move the observer: views, in bursts.
  for (const before = (frame ?? 1) - 1; n < before; ) {
    const burst = await reader.next(Math.min(BURST_FRAMES, before - n), true);
    if (burst.length === 0) break;
    observer.receiveRecords(burst, n + 1);
    n += burst.length;
    await options.onBurst?.(reader.offset);
  }
  // Copies, not views: a frame's record goes to onFrame, which may keep it. Never a record past N.
  for (const last = frame ?? Infinity; n < last; ) {
    const burst = await reader.next(Math.min(BURST_FRAMES, last - n));
    if (burst.length === 0) break;
    for (const record of burst) {
      n++;
      const r = observer.receive(record, n);
      const tree = explainFrame(record.data, { mkaIck: options.mkaIck, keys: observer.keyResolver, xpn: observer.xpn });
      const isReceive = r.result === 'delivered' || r.result === 'dropped' || r.result === 'uncontrolled' || r.result === 'skipped';
      tree.push(isReceive ? receiverNode(r, controls, undefined) : mkaNode(r));
      onFrame({ frame: n, total: options.total, record, tree, ...(isReceive ? { receiver: r } : {}) });
    }
    await options.onBurst?.(reader.offset);
  }
  if (frame !== undefined && n < frame) checkFrameNumber(frame, n, 'the capture');
  const state = observer.receiverState(n);
  return state !== undefined ? { receiver: state } : {};
}
