import type { Argv, CommandModule } from 'yargs';
import type { FcsMode } from '../../capture/index.js';
import { isBackendName, type BackendName } from '../../crypto/backend.js';
import { keyResolver } from '../../config/keys.js';
import { loadSaFile } from '../../config/files.js';
import { explainFrame, type ExplainOptions } from '../../explain/explain.js';
import { renderSteps, traceJson, traceReceived } from '../../explain/steps.js';
import { renderTree } from '../../explain/tree.js';
import { ickLookup } from '../../mka/keys.js';
import { countRecords, explainReceiver, explainStream, type ExplainedFrame, type ExplainSummary } from '../../runs/explain-capture.js';
import { explainMkaStream, renderMkaKeys, scanMkaCapture, type MkaExplainOptions } from '../../runs/mka-run.js';
import type { MkaObserver, ParticipantRow, SakRow } from '../../runs/mka-capture.js';
import type { CakAndCkn } from '../../runs/wpa-conf.js';
import type { IckLookup } from '../../mka/mkpdu.js';
import { cakFromArgs, mkaObserver, spoolStdin, wpaConfOptions, type CakArgs } from './mka-capture.js';
import { fileLabel, openInputCapture, readFrameFile, STDIO, type InputCapture } from '../../runs/files.js';
import { explainedFrameJson, renderExplainedFrame, renderExplainReport } from '../../runs/report.js';
import { fromHex } from '../../util/hex.js';
import { fastestBackend, FCS_DEFAULT, FCS_MODES, guarded, optionalWholeNumber, progressForOctets, receiveControls, receiveOptions, toJson, UsageError, useColor, type ReceiveArgs } from '../output.js';

interface Args extends ReceiveArgs, CakArgs {
  hex?: string;
  file?: string;
  in?: string;
  frame?: unknown;
  fcs: FcsMode;
  sa?: string;
  backend: string;
  json: boolean;
  steps: boolean;
}

/** --cak/--ckn or --wpa-conf: the ICK to check MKPDUs with (802.1X 9.3.3). */
function mkaIckOption(args: Args): ExplainOptions {
  const keys = cakFromArgs(args);
  return keys === undefined ? {} : { mkaIck: ickLookup(keys.cak, keys.ckn) };
}

/**
 * explain --in: the frames of a capture (or --frame N), received in order with --sa (see explainStream),
 * printed as they are explained. Every frame: the capture is counted first (for "Frame i of n"); --frame N:
 * reading stops at frame N.
 */
async function explainCaptureFile(args: Args & { in: string }, backend: BackendName): Promise<void> {
  const frame = optionalWholeNumber(args.frame, '--frame');
  const controls = receiveControls(args);
  const cak = args.sa === undefined ? cakFromArgs(args) : undefined;
  const explain = mkaIckOption(args);
  const color = useColor(process.stdout);
  if (cak !== undefined && explain.mkaIck !== undefined) {
    await explainWithCak(args, frame, cak, backend, explain.mkaIck);
    return;
  }
  const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
  const receiver = sa !== undefined && args.sa !== undefined ? explainReceiver(sa, controls, backend, args.sa) : undefined;
  let total: number | undefined;
  if (frame === undefined && args.in !== STDIO) {
    // Standard input cannot be read twice: its frames are numbered without the total.
    const counting = await openInputCapture(args.in, args.fcs);
    try {
      total = await countRecords(counting.reader);
    } finally {
      await counting.close();
    }
  }
  const input = await openInputCapture(args.in, args.fcs);
  const out = new OutputBuffer();
  let frames = 0;
  let summary;
  try {
    summary = await explainStream(input.reader, { frame, explain, receiver }, total, fileLabel(args.in, 'in'), (f) => {
      if (args.json) out.add(`${frames === 0 ? '[\n' : ',\n'}${indentJson(toJson(explainedFrameJson(f)))}`);
      else out.add(`${frames === 0 ? '' : '\n'}${renderExplainedFrame(f, color)}`);
      frames++;
    }, () => out.ready());
  } finally {
    await input.close();
  }
  if (args.json) out.add(frames === 0 ? '[]\n' : '\n]\n');
  else out.add(renderExplainReport(frames === 0 ? [] : [''], summary));
  await out.flush();
}

/** A JSON value's lines indented two spaces per level, as an element at that depth of JSON printed with toJson. */
const indentJson = (json: string, depth = 1): string => json.replace(/^/gm, '  '.repeat(depth));

const mkaKeys = (o: MkaObserver): { saks: readonly SakRow[]; participants: readonly ParticipantRow[] } => ({ saks: o.saks(), participants: o.participantRows() });

/**
 * explain --in with the CAK alone (see runs/mka-capture.ts): the SAKs come from the MKPDUs as the capture
 * goes. --frame N reads no further than frame N. Every frame: a first pass counts the frames and takes the
 * MKPDUs, so "Frame i of n" and JSON's SAKs and participants (printed before the frames) are known while the
 * frames stream out; standard input is first copied to a temporary file to be read twice.
 */
async function explainWithCak(args: Args & { in: string }, frame: number | undefined, keys: CakAndCkn, backend: BackendName, mkaIck: IckLookup): Promise<void> {
  const observer = mkaObserver(keys, args, backend);
  const color = useColor(process.stdout);
  const out = new OutputBuffer();
  let frames = 0;
  const start = (k: ReturnType<typeof mkaKeys>): void => {
    if (args.json) out.add(`${toJson(k).slice(0, -'\n}'.length)},\n  "frames": [`);
  };
  const onFrame = (f: ExplainedFrame): void => {
    if (args.json) out.add(`${frames === 0 ? '' : ','}\n${indentJson(toJson(explainedFrameJson(f)), 2)}`);
    else out.add(`${frames === 0 ? '' : '\n'}${renderExplainedFrame(f, color)}`);
    frames++;
  };
  const end = async (summary: ExplainSummary): Promise<void> => {
    const k = mkaKeys(observer);
    if (args.json) out.add(frames === 0 ? ']\n}\n' : '\n  ]\n}\n');
    else out.add(`${renderExplainReport(frames === 0 ? [] : [''], summary)}\n${renderMkaKeys(k.saks, k.participants).join('\n')}\n`);
    await out.flush();
  };
  const run = async (input: InputCapture, options: Omit<MkaExplainOptions, 'mkaIck' | 'onBurst'>, each: (f: ExplainedFrame) => void): Promise<ExplainSummary> => {
    const progress = progressForOctets('explain', input.size);
    try {
      const onBurst = (offset: number): Promise<void> => {
        progress.update(offset);
        return out.ready();
      };
      return await explainMkaStream(input.reader, observer, { ...options, mkaIck, onBurst }, each);
    } finally {
      progress.done();
      await input.close();
    }
  };
  if (frame !== undefined) {
    // JSON puts the SAKs and participants first, as frame N leaves them: the frame waits for the run's end.
    let explained: ExplainedFrame | undefined;
    const summary = await run(await openInputCapture(args.in, args.fcs), { frame }, (f) => (explained = f));
    start(mkaKeys(observer));
    if (explained !== undefined) onFrame(explained);
    await end(summary);
    return;
  }
  const spool = args.in === STDIO ? await spoolStdin(args.fcs) : undefined;
  const open = (): Promise<InputCapture> => spool?.open() ?? openInputCapture(args.in, args.fcs);
  try {
    const scan = mkaObserver(keys, args, backend);
    const first = await open();
    let total: number;
    try {
      total = await scanMkaCapture(first.reader, scan);
    } finally {
      await first.close();
    }
    const scanned = toJson(mkaKeys(scan));
    start(mkaKeys(scan));
    const summary = await run(await open(), { total }, onFrame);
    if (toJson(mkaKeys(observer)) !== scanned) throw new UsageError(`${fileLabel(args.in, 'in')}: changed while it was read`);
    await end(summary);
  } finally {
    await spool?.remove();
  }
}

/**
 * Text gathered and written to stdout a large piece at a time, so a long explanation streams out; `ready`
 * waits while stdout is full (a slow pipe), so a caller that waits there reads no more than it can write.
 */
class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  private full: Promise<void> | undefined;
  add(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) this.write();
  }
  private write(): void {
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!process.stdout.write(text)) this.full ??= new Promise((resolve) => process.stdout.once('drain', () => resolve((this.full = undefined))));
  }
  async ready(): Promise<void> {
    await this.full;
  }
  async flush(): Promise<void> {
    this.write();
    await this.full;
  }
}

export const explainCommand: CommandModule<object, Args> = {
  command: 'explain [hex]',
  describe: 'Explain a frame field by field (TCI bits, SL, PN, SCI, secure data, ICV), validating it with --sa',
  builder: (y: Argv) =>
    wpaConfOptions(receiveOptions(
      y
        .positional('hex', { type: 'string', describe: 'the frame in hex (DA first, no FCS)' })
        .option('file', { type: 'string', describe: 'read the frame from a file (hex text or raw octets)' })
        .option('in', { type: 'string', describe: 'explain the frames of a capture (pcap or pcapng; - : standard input)' })
        .option('frame', { describe: 'with --in: only frame N (1-based, as Wireshark numbers them)' })
        .option('fcs', { choices: FCS_MODES, default: FCS_DEFAULT, describe: 'with --in: frames end with an FCS: auto, present, absent' })
        .option('sa', { type: 'string', describe: 'SA file (JSON) with the key: check the ICV and show the user data' })
        .option('cak', { type: 'string', describe: 'MKA: the CAK (hex) to check MKPDU ICVs with, with --ckn; with --in and no --sa, also follow the SAKs the MKPDUs distribute' })
        .option('ckn', { type: 'string', describe: 'MKA: the CKN (hex) the CAK goes by' })
        .option('backend', { type: 'string', default: fastestBackend(), describe: 'crypto backend for --sa' })
        .option('json', { type: 'boolean', default: false, describe: 'print the explanation as JSON' })
        .option('steps', { type: 'boolean', default: false, describe: 'with --sa: every GCM value (H, IV, J0, counter blocks, GHASH steps, tag)' }),
    ))
      .example('$0 explain d609b1f056637a0d46df998d88e52c2a…', 'a frame given in hex')
      .example('$0 explain --file frame.hex --sa examples/sa.json', 'validate with a known SAK')
      .example('$0 explain d609b1f0… --sa sa.json --steps', 'the GCM walk-through of a frame, as the teaching page shows it')
      .example('$0 explain --in protected.pcap --sa examples/sa.json --frame 3', 'frame 3 of a capture, as a receiver that saw frames 1 and 2 first')
      .example('$0 explain --in out/wire.pcap --cak 0123… --ckn 6b…', 'an MKA run: MKPDU ICVs checked, SAKs unwrapped, MACsec frames decrypted'),
  handler: guarded(async (args: Args) => {
    const given = [args.hex, args.file, args.in].filter((x) => x !== undefined).length;
    if (given !== 1) throw new UsageError('explain: give the frame as HEX, with --file, or a capture with --in (one of them)');
    if (args.frame !== undefined && args.in === undefined) throw new UsageError('--frame: only with --in (a capture)');
    if (!isBackendName(args.backend)) throw new UsageError(`--backend: unknown backend ${JSON.stringify(args.backend)}`);
    if (args.steps && (args.sa === undefined || args.in !== undefined)) throw new UsageError('--steps: one frame (HEX or --file) with its keys (--sa)');
    if (args.in !== undefined) {
      await explainCaptureFile({ ...args, in: args.in }, args.backend);
      return;
    }
    const frame = args.file !== undefined ? readFrameFile(args.file) : fromHex(args.hex ?? '', 'frame');
    const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
    const keys = sa ? keyResolver(sa, args.backend) : undefined;
    const tree = explainFrame(frame, { ...mkaIckOption(args), ...(sa && keys ? { keys, xpn: sa.suite.xpn } : {}) });
    const trace = args.steps && keys ? traceReceived(frame, keys) : undefined;
    if (trace !== undefined && 'missing' in trace) throw new UsageError(`--steps: ${trace.missing}`);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(trace ? { tree, steps: traceJson(trace) } : tree, null, 2)}\n`);
      return;
    }
    process.stdout.write(`${renderTree(tree, useColor(process.stdout))}\n${trace ? `\n${renderSteps(trace)}\n` : ''}`);
  }),
};
