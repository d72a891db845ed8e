/**
 * What `protect`, `validate` and `explain --in` print: the text reports and the JSON documents of their
 * runs. The CLI picks one and writes it; bigints in the JSON documents are left for its JSON writer.
 */
import type { Capture } from '../capture/index.js';
import type { SaFile } from '../config/sa-file.js';
import { renderTree } from '../explain/tree.js';
import { WIRESHARK_PSK_FILE, type WiresharkKeys } from '../interop/wireshark-keys.js';
import { formatCounters } from '../secy/index.js';
import { isoTime, type ExplainedFrame, type ExplainSummary } from './explain-capture.js';
import type { ProtectRun } from './protect-capture.js';
import { originText } from './receiver.js';
import type { ValidateRun } from './validate-capture.js';

/** At most this many refused or dropped frames are listed in text; the JSON lists them all. */
export const LISTED_FRAMES = 20;

/** The files of a run as the user named them, and the input's format. */
export interface RunFiles {
  readonly input: string;
  readonly format: Capture['format'];
  /** The output capture; undefined when none is written. */
  readonly output: string | undefined;
  /** How the run went, for the end of the summary line. */
  readonly pace?: RunPace | undefined;
}

/** The backend a run used, how fast it went and the most memory it held. */
export interface RunPace {
  readonly backend: string;
  readonly seconds: number;
  /** Octets of the frames read. */
  readonly octets: number;
  /** Peak resident set size, in octets. */
  readonly peakRss: number;
}

/** `; native, 1234567 frames/s, 7.41 Gbit/s, peak memory 80 MB`: the end of a summary line. */
function paceText(frames: number, pace: RunPace | undefined): string {
  if (pace === undefined) return '';
  const s = Math.max(pace.seconds, 1e-9);
  return `; ${pace.backend}, ${Math.round(frames / s)} frames/s, ${((pace.octets * 8) / s / 1e9).toFixed(2)} Gbit/s, peak memory ${Math.round(pace.peakRss / 1e6)} MB`;
}

export interface ProtectReportContext extends RunFiles {
  readonly output: string;
  readonly saFile: SaFile;
  /** The Wireshark key table written beside the capture, and where. */
  readonly wiresharkKeys?: { readonly file: string; readonly keys: WiresharkKeys } | undefined;
}

export interface ValidateReportContext extends RunFiles {
  readonly saFile: SaFile;
}

/** A result row as the text reports list it. */
interface ListedFrame {
  readonly frame: number;
  readonly result: string;
  readonly counter: string | undefined;
  readonly reason?: string;
  readonly sci?: string;
  readonly an?: number;
  readonly pn?: bigint | undefined;
}

/** One line per frame not protected or not delivered (the first LISTED_FRAMES), with its counter, reason and origin. */
function listFrames(rows: readonly ListedFrame[], count: number): string[] {
  const lines = rows.slice(0, LISTED_FRAMES).map((r) => {
    const where = originText(r);
    return `${r.result}: frame ${r.frame}: ${r.counter !== undefined ? `${r.counter}: ` : ''}${r.reason ?? ''}${where !== undefined ? ` [${where}]` : ''}`;
  });
  if (count > LISTED_FRAMES) lines.push(`... and ${count - LISTED_FRAMES} more (--json lists every frame)`);
  return lines;
}

/** "1 frame", "2 frames". */
const frames = (n: number): string => `${n} frame${n === 1 ? '' : 's'}`;

const inputOf = (files: RunFiles, frames: number): { file: string; format: Capture['format']; frames: number } => ({ file: files.input, format: files.format, frames });

const installPath = `~/.config/wireshark/${WIRESHARK_PSK_FILE}`;

/** protect --json. */
export function protectReportJson(run: ProtectRun, context: ProtectReportContext): Record<string, unknown> {
  const keys = context.wiresharkKeys;
  return {
    input: inputOf(context, run.frames),
    output: { file: context.output, frames: run.writtenCount },
    cipherSuite: context.saFile.suite.name,
    sci: run.sci,
    an: run.an,
    nextPN: run.nextPN,
    protected: run.writtenCount,
    refused: run.refused,
    skipped: run.skipped,
    counters: run.counters,
    ...(keys !== undefined ? { wiresharkKeys: { file: keys.file, rows: keys.keys.rows, skipped: keys.keys.skipped, install: installPath } } : {}),
    frames: run.results,
  };
}

/**
 * protect's text: the transmit counters in the layout of `ip -s macsec show`, the frames not protected,
 * a summary line, the next PN to start from, and where the Wireshark keys went.
 */
export function renderProtectReport(run: ProtectRun, context: ProtectReportContext): string {
  const { saFile } = context;
  // The transmit side only: the peers' receive SCs are in this SecY just for the SC bit (10.5.3) and count nothing.
  const out: string[] = [formatCounters({ ...run.counters, receiveSCs: [] }), '', ...listFrames(run.failed, run.failedCount)];
  const mode = saFile.confidentiality ? `encrypted${saFile.confidentialityOffset ? `, offset ${saFile.confidentialityOffset}` : ''}` : 'integrity only';
  const range = run.pns !== undefined ? `, PN ${run.pns.first}-${run.pns.last}` : '';
  out.push(
    `protect: ${frames(run.frames)} from ${context.input} (${context.format}): ${run.writtenCount} protected, ${run.failedCount} not ` +
      `-> ${context.output} (${saFile.suite.name}, ${mode}, SCI ${run.sci}, AN ${run.an}${range})${paceText(run.frames, context.pace)}`,
  );
  if (run.nextPN !== undefined && run.writtenCount > 0) {
    out.push(`next PN of AN ${run.an}: ${run.nextPN} (start the next run there: a PN must never repeat under one SAK)`);
  }
  const w = context.wiresharkKeys;
  if (w !== undefined) {
    out.push(`Wireshark keys: ${w.keys.rows} written to ${w.file} (Wireshark 4.6 or newer, MACsec "Pre-Shared Key List")`);
    for (const s of w.keys.skipped) out.push(`  ${s}`);
    if (w.keys.rows > 0) {
      out.push(`  install: cp ${w.file} ${installPath}   (a named profile: ~/.config/wireshark/profiles/NAME/), then restart Wireshark`);
      if (!saFile.includeSci && !saFile.endStation) out.push('  note: these frames carry no SCI (includeSci false), and Wireshark tries its keys only on frames whose SCI it knows');
      if (saFile.confidentiality && saFile.confidentialityOffset !== 0) out.push('  note: Wireshark decrypts with offset 0 only: these frames will not verify there');
    }
  }
  return `${out.join('\n')}\n`;
}

/** validate --json. */
export function validateReportJson(run: ValidateRun, context: ValidateReportContext): Record<string, unknown> {
  return {
    input: inputOf(context, run.frames),
    output: context.output !== undefined ? { file: context.output, frames: run.writtenCount } : null,
    cipherSuite: context.saFile.suite.name,
    delivered: run.writtenCount,
    dropped: run.dropped,
    uncontrolled: run.uncontrolled,
    skipped: run.skipped,
    counters: run.counters,
    frames: run.results,
  };
}

/** validate's text: the receive counters per SC and SA, the frames not delivered, and a summary line. */
export function renderValidateReport(run: ValidateRun, context: RunFiles): string {
  const out: string[] = [formatCounters(run.counters), '', ...listFrames(run.failed, run.failedCount)];
  const byCounter = run.deliveredBy.map(([c, n]) => `${c} ${n}`).join(', ');
  out.push(
    `validate: ${frames(run.frames)} from ${context.input} (${context.format}): ${run.writtenCount} delivered` +
      `${byCounter ? ` (${byCounter})` : ''}, ${run.failedCount} not${context.output !== undefined ? ` -> ${context.output}` : ''}${paceText(run.frames, context.pace)}`,
  );
  return `${out.join('\n')}\n`;
}

/** One frame of explain --in --json. */
export function explainedFrameJson(f: ExplainedFrame): Record<string, unknown> {
  const r = f.record;
  return {
    frame: f.frame,
    time: isoTime(r.timestampNs),
    timestampNs: r.timestampNs,
    length: r.data.length,
    originalLength: r.originalLength,
    fcs: r.fcs,
    ...(f.receiver !== undefined ? { receiver: f.receiver } : {}),
    tree: f.tree,
  };
}

/** One frame of explain --in as text: a header line (number, length, time), then its tree. */
export function renderExplainedFrame(f: ExplainedFrame, color: boolean): string {
  const r = f.record;
  const cut = r.truncated ? `, ${r.data.length} of ${r.originalLength} captured` : '';
  return `Frame ${f.frame}${f.total !== undefined ? ` of ${f.total}` : ''}: ${r.originalLength} octets${cut}${r.fcs === 'stripped' ? ' (FCS removed)' : ''}, ${isoTime(r.timestampNs)}\n${renderTree(f.tree, color)}\n`;
}

/**
 * explain --in as text: the frames rendered by renderExplainedFrame, a blank line after each, then the
 * receiver's state after the last frame (what each receive SA now expects, and the non-zero counters).
 */
export function renderExplainReport(frames: readonly string[], summary: ExplainSummary): string {
  const blocks = [...frames];
  const s = summary.receiver;
  if (s !== undefined) {
    const lines = [`Receiver state after frame ${s.afterFrame}:`];
    for (const sa of s.sas) lines.push(`  receive SC ${sa.sci}, SA ${sa.an}: nextPN ${sa.nextPN}, lowestPN ${sa.lowestPN}${sa.inUse ? '' : ' (not in use)'}`);
    lines.push(formatCounters(s.counters, { hideZeroRows: true }), '');
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n');
}
