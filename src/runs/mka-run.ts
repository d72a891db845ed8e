/**
 * The runs of an MKA-keyed capture (see mka-capture.ts): `validate --cak` (every record through the
 * observer, what reached the Controlled Port as the output capture) and `explain --in --cak` (each frame's
 * tree, with the observer's verdict and the SAK in force), and what both print.
 */
import type { Capture, WritableRecord } from '../capture/index.js';
import { explainFrame } from '../explain/explain.js';
import type { ExplainNode } from '../explain/tree.js';
import type { IckLookup } from '../mka/mkpdu.js';
import { formatCounters, type SecYCountersView } from '../secy/index.js';
import type { RunProgress } from './capture-run.js';
import { checkFrameNumber, receiverNode, type ExplainedFrame, type ExplainSummary } from './explain-capture.js';
import type { MkaFrameResult, MkaObserver, ParticipantRow, SakRow } from './mka-capture.js';
import { LISTED_FRAMES, type RunFiles } from './report.js';
import { originText } from './receiver.js';

export interface MkaValidateRun {
  /** One row per record, in capture order. */
  readonly results: readonly MkaFrameResult[];
  /** What reached the Controlled Port (user data), with the input timestamps. */
  readonly written: readonly WritableRecord[];
  /** Rows of records that did not go through: dropped, uncontrolled, cut short, MKPDUs rejected. */
  readonly failed: readonly MkaFrameResult[];
  readonly mkpdus: number;
  readonly beforeSak: number;
  readonly saks: readonly SakRow[];
  readonly participants: readonly ParticipantRow[];
  /** The receive SecY's counters; undefined when no SAK was ever distributed. */
  readonly counters: SecYCountersView | undefined;
}

const FAILED = new Set<MkaFrameResult['result']>(['dropped', 'uncontrolled', 'skipped', 'mkpdu-rejected']);

/** Every record of `capture` through `observer`, in capture order. */
export function validateMkaCapture(observer: MkaObserver, capture: Capture, progress?: RunProgress): MkaValidateRun {
  const results: MkaFrameResult[] = [];
  const written: WritableRecord[] = [];
  const sink = progress?.(capture.records.length);
  capture.records.forEach((record, i) => {
    const row = observer.receive(record, i + 1);
    results.push(row);
    const o = observer.lastOutcome();
    if (o?.kind === 'controlled') written.push({ data: o.frame, timestampNs: record.timestampNs });
    if (i % 1024 === 1023) sink?.update((i + 1) / capture.records.length);
  });
  sink?.done();
  return {
    results,
    written,
    failed: results.filter((r) => FAILED.has(r.result)),
    mkpdus: results.filter((r) => r.result === 'mkpdu').length,
    beforeSak: results.filter((r) => r.result === 'before-sak').length,
    saks: observer.saks(),
    participants: observer.participantRows(),
    counters: observer.counters(),
  };
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
  if (run.failed.length > LISTED_FRAMES) out.push(`... and ${run.failed.length - LISTED_FRAMES} more (--json lists every frame)`);
  const before = run.results.filter((r) => r.result === 'before-sak');
  if (before.length > 0) out.push(`${before.length} frame${before.length === 1 ? '' : 's'} before the first SAK (not checked: no key yet), the first: frame ${before[0]!.frame}`);
  const macsec = run.results.length - run.mkpdus - run.results.filter((r) => r.result === 'mkpdu-rejected' || r.result === 'mkpdu-other-ca').length - run.beforeSak;
  out.push(
    `validate: ${run.results.length} frames from ${files.input} (${files.format}): ${run.mkpdus} MKPDUs verified, ${run.saks.length} SAK${run.saks.length === 1 ? '' : 's'}; ` +
      `${macsec} frames after the first SAK: ${run.written.length} reached the Controlled Port, ${run.failed.length} not` +
      `${run.beforeSak > 0 ? `; ${run.beforeSak} before the first SAK` : ''}${files.output !== undefined ? ` -> ${files.output}` : ''}`,
  );
  return `${out.join('\n')}\n`;
}

/** validate --cak --json. */
export function mkaValidateReportJson(run: MkaValidateRun, files: RunFiles): Record<string, unknown> {
  return {
    input: { file: files.input, format: files.format, frames: run.results.length },
    output: files.output !== undefined ? { file: files.output, frames: run.written.length } : null,
    participants: run.participants,
    saks: run.saks,
    mkpdus: run.mkpdus,
    delivered: run.written.length,
    notDelivered: run.failed.length,
    beforeFirstSak: run.beforeSak,
    counters: run.counters ?? null,
    frames: run.results,
  };
}

export interface MkaExplainOptions {
  readonly frame?: number | undefined;
  readonly mkaIck: IckLookup;
  readonly progress?: RunProgress;
}

function mkaNode(r: MkaFrameResult): ExplainNode {
  if (r.result === 'mkpdu') return { label: 'MKA', value: `MKPDU from SCI ${r.sci}, MN ${r.mn}`, status: 'ok', note: r.note };
  if (r.result === 'before-sak') return { label: 'Receiver', value: 'before the first SAK', status: 'warn', note: r.reason };
  return { label: 'MKA', value: r.result === 'mkpdu-other-ca' ? 'another CA' : 'MKPDU rejected', status: r.result === 'mkpdu-other-ca' ? 'warn' : 'bad', note: 'reason' in r ? r.reason : '' };
}

/**
 * explain --in --cak: every frame (or frame N, after frames 1..N-1 went through the observer) explained with
 * the SAK in force when it was sent, and the observer's verdict as the last node.
 */
export function explainMkaCapture(capture: Capture, observer: MkaObserver, options: MkaExplainOptions, onFrame: (f: ExplainedFrame) => void): ExplainSummary {
  const total = capture.records.length;
  checkFrameNumber(options.frame, total, 'the capture');
  const first = options.frame !== undefined ? options.frame - 1 : 0;
  const last = options.frame !== undefined ? options.frame - 1 : total - 1;
  const sink = options.progress?.(last + 1);
  const controls = observer.controlsText();
  for (let i = 0; i <= last; i++) {
    const record = capture.records[i]!;
    const r = observer.receive(record, i + 1);
    if (i % 1024 === 1023) sink?.update((i + 1) / (last + 1));
    if (i < first) continue;
    const tree = explainFrame(record.data, { mkaIck: options.mkaIck, keys: observer.keyResolver, xpn: observer.xpn });
    const isReceive = r.result === 'delivered' || r.result === 'dropped' || r.result === 'uncontrolled' || r.result === 'skipped';
    tree.push(isReceive ? receiverNode(r, controls, undefined) : mkaNode(r));
    onFrame({ frame: i + 1, total, record, tree, ...(isReceive ? { receiver: r } : {}) });
  }
  sink?.done();
  const state = observer.receiverState(last + 1);
  return state !== undefined ? { receiver: state } : {};
}
