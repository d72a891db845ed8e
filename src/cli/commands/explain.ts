import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import type { CaptureRecord, FcsMode } from '../../capture/index.js';
import { isBackendName, type BackendName } from '../../crypto/backend.js';
import { keyResolver } from '../../config/keys.js';
import { loadSaFile } from '../../config/sa-file.js';
import { explainFrame, type ExplainOptions, type KeyResolver } from '../../explain/explain.js';
import { ickLookup } from '../../mka/keys.js';
import { renderTree, type ExplainNode } from '../../explain/tree.js';
import type { ReceiveOutcome } from '../../secy/index.js';
import { fromHex } from '../../util/hex.js';
import { sciHex } from '../../wire/sci.js';
import { guarded, UsageError, useColor } from '../output.js';
import { FCS_MODES, progressFor, readInputCapture, toJson } from './protect.js';
import { buildReceiveSecY, frameResult, receiveOptions, type FrameResult, type ReceiveArgs } from './validate.js';

interface Args extends ReceiveArgs {
  hex?: string;
  file?: string;
  in?: string;
  frame?: number;
  fcs: FcsMode;
  sa?: string;
  cak?: string;
  ckn?: string;
  backend: string;
  json: boolean;
}

/** --cak/--ckn: the ICK to check MKPDUs with (802.1X 9.3.3). */
function mkaIckOption(args: Args): ExplainOptions {
  if ((args.cak === undefined) !== (args.ckn === undefined)) throw new UsageError('--cak and --ckn go together');
  if (args.cak === undefined || args.ckn === undefined) return {};
  return { mkaIck: ickLookup(fromHex(args.cak, '--cak'), fromHex(args.ckn, '--ckn')) };
}

/** A frame from a file: hex text (spaces, colons and newlines allowed) or the raw octets. */
function readFrameFile(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const text = bytes.toString('latin1').trim();
  return /^[0-9a-fA-F:\s-]+$/.test(text) ? fromHex(text, path) : new Uint8Array(bytes);
}

/** A capture timestamp in UTC with all nine fractional digits (pcapng may carry nanoseconds). */
export function isoTime(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/**
 * The file's keys, but with the PN the in-order receive SecY recovered for this frame: with XPN the upper
 * 32 bits come from the SA's lowestPN as it stands after the frames before (802.1AEbw 10.6.2), not from
 * the file's `pn`. For frames in order both give the same PN; for a replayed or late frame they differ,
 * and only the SecY's is what a receiver computes. `fromFile` keeps the other, to say so.
 */
function inOrderKeys(resolver: KeyResolver, outcome: ReceiveOutcome | undefined): { keys: KeyResolver; fromFile: { pn: bigint | undefined } } {
  const origin = outcome !== undefined && outcome.kind !== 'uncontrolled' ? outcome.origin : undefined;
  const fromFile: { pn: bigint | undefined } = { pn: undefined };
  const keys: KeyResolver = (frame, layout) => {
    const r = resolver(frame, layout);
    if (!('sa' in r) || origin?.pn === undefined || origin.sci !== sciHex(r.sci) || origin.an !== layout.secTag.an) return r;
    fromFile.pn = r.pn;
    return { ...r, pn: origin.pn };
  };
  return { keys, fromFile };
}

/** The receive SecY's verdict on the frame, as the last node of its tree. */
function receiverNode(result: FrameResult, controls: string, filePN: bigint | undefined): ExplainNode {
  const where = result.sci !== undefined ? `SCI ${result.sci}, AN ${result.an}${result.pn !== undefined ? `, PN ${result.pn}` : ''}` : undefined;
  const recovered =
    filePN !== undefined && result.pn !== undefined && filePN !== result.pn
      ? `PN recovered from lowestPN as the frames before left it (10.6.2), not ${filePN} as from the SA file's pn: a frame replayed from below lowestPN lands in the next 2^32 span and fails its ICV`
      : undefined;
  const fate =
    result.result === 'delivered' ? 'delivered to the Controlled Port' : result.result === 'dropped' ? 'dropped' : result.result === 'uncontrolled' ? 'Uncontrolled Port only' : 'not received';
  return {
    label: 'Receiver',
    value: `${result.counter !== undefined ? `${result.counter}: ` : ''}${fate}`,
    status: result.counter === 'InPktsOK' ? 'ok' : result.result === 'delivered' ? 'warn' : 'bad',
    note: [`a SecY receiving the capture in order (${controls})`, where, result.reason, recovered].filter((s) => s !== undefined).join('; '),
  };
}

/**
 * explain --in: every frame of a capture, or frame N (1-based, as Wireshark numbers them). With --sa, one
 * receive SecY takes the frames in capture order, as a receiver on that wire would, rather than each frame
 * being looked up afresh in the SA file: each tree then ends with the SecY's verdict (its counter and
 * reason, so replayed and late frames show as such), and the ICV is checked with the PN that SecY
 * recovered (XPN: from lowestPN as the frames before moved it). --frame N still runs frames 1..N-1 through
 * the SecY first, so frame N meets the state it would meet on the wire.
 */
async function explainCapture(args: Args & { in: string }, backend: BackendName): Promise<void> {
  const capture = await readInputCapture(args.in, args.fcs);
  const total = capture.records.length;
  if (args.frame !== undefined && !(Number.isInteger(args.frame) && args.frame >= 1 && args.frame <= total)) {
    throw new UsageError(`--frame: expected a frame number 1-${total} (frames in ${args.in}), got ${args.frame}`);
  }
  const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
  const mka = mkaIckOption(args);
  const secy = sa !== undefined ? buildReceiveSecY(sa, args, backend, args.sa!) : undefined;
  const resolver = sa !== undefined ? keyResolver(sa, backend) : undefined;
  const controls = secy ? `validateFrames ${secy.controls.validateFrames}, replayWindow ${secy.controls.replayWindow}${secy.controls.replayProtect ? '' : ', replayProtect off'}` : '';
  const first = args.frame !== undefined ? args.frame - 1 : 0;
  const last = args.frame !== undefined ? args.frame - 1 : total - 1;
  // Without keys nothing carries over between frames: start at the frame asked for.
  const start = secy ? 0 : first;
  const color = useColor(process.stdout);
  const progress = progressFor('explain', last + 1 - start);
  const json: unknown[] = [];
  const text: string[] = [];
  for (let i = start; i <= last; i++) {
    const record: CaptureRecord = capture.records[i]!;
    // A frame cut short in the capture never reaches the SecY whole: it is explained, not received.
    const outcome = secy && !record.truncated ? secy.receive(record.data) : undefined;
    if (i - start > 0 && (i - start) % 1024 === 0) progress.update((i - start) / (last + 1 - start));
    if (i < first) continue;
    const inOrder = resolver !== undefined ? inOrderKeys(resolver, outcome) : undefined;
    const tree = explainFrame(record.data, { ...mka, ...(sa !== undefined && inOrder !== undefined ? { keys: inOrder.keys, xpn: sa.suite.xpn } : {}) });
    const result: FrameResult | undefined = !secy
      ? undefined
      : outcome !== undefined
        ? frameResult(i + 1, outcome)
        : { frame: i + 1, result: 'skipped', counter: undefined, reason: `truncated in the capture: ${record.data.length} of ${record.originalLength} octets captured` };
    if (result !== undefined) tree.push(receiverNode(result, controls, inOrder?.fromFile.pn));
    const cut = record.truncated ? `, ${record.data.length} of ${record.originalLength} captured` : '';
    if (args.json) {
      json.push({
        frame: i + 1,
        time: isoTime(record.timestampNs),
        timestampNs: record.timestampNs,
        length: record.data.length,
        originalLength: record.originalLength,
        fcs: record.fcs,
        ...(result !== undefined ? { receiver: result } : {}),
        tree,
      });
    } else {
      text.push(`Frame ${i + 1} of ${total}: ${record.originalLength} octets${cut}${record.fcs === 'stripped' ? ' (FCS removed)' : ''}, ${isoTime(record.timestampNs)}`, renderTree(tree, color), '');
    }
  }
  progress.done();
  if (secy !== undefined && !args.json) {
    // The receiver's state after the last frame explained: what the SecY now expects, and its counters.
    text.push(`Receiver state after frame ${last + 1}:`);
    for (const sci of secy.receiveSCIs()) {
      for (let an = 0; an < 4; an++) {
        const state = secy.receiveSAState(sci, an);
        if (state) text.push(`  receive SC ${sci}, SA ${an}: nextPN ${state.nextPN}, lowestPN ${state.lowestPN}${state.inUse ? '' : ' (not in use)'}`);
      }
    }
    text.push(secy.formatCounters({ hideZeroRows: true }), '');
  }
  process.stdout.write(args.json ? `${toJson(json)}\n` : text.join('\n'));
}

export const explainCommand: CommandModule<object, Args> = {
  command: 'explain [hex]',
  describe: 'Explain a frame field by field (TCI bits, SL, PN, SCI, secure data, ICV), validating it with --sa',
  builder: (y: Argv) =>
    receiveOptions(
      y
        .positional('hex', { type: 'string', describe: 'the frame in hex (DA first, no FCS)' })
        .option('file', { type: 'string', describe: 'read the frame from a file (hex text or raw octets)' })
        .option('in', { type: 'string', describe: 'explain the frames of a capture (pcap or pcapng)' })
        .option('frame', { type: 'number', describe: 'with --in: only frame N (1-based, as Wireshark numbers them)' })
        .option('fcs', { choices: FCS_MODES, default: 'auto' as FcsMode, describe: 'with --in: frames end with an FCS: auto, present, absent' })
        .option('sa', { type: 'string', describe: 'SA file (JSON) with the key: check the ICV and show the user data' })
        .option('cak', { type: 'string', describe: 'MKA: the CAK (hex) to check MKPDU ICVs with, with --ckn' })
        .option('ckn', { type: 'string', describe: 'MKA: the CKN (hex) the CAK goes by' })
        .option('backend', { type: 'string', default: 'noble', describe: 'crypto backend for --sa' })
        .option('json', { type: 'boolean', default: false, describe: 'print the explanation as JSON' }),
    )
      .example('$0 explain d609b1f056637a0d46df998d88e52c2a…', 'a frame given in hex')
      .example('$0 explain --file frame.hex --sa examples/sa.json', 'validate with a known SAK')
      .example('$0 explain --in protected.pcap --sa examples/sa.json --frame 3', 'frame 3 of a capture, as a receiver that saw frames 1 and 2 first')
      .example('$0 explain --in out/wire.pcap --cak 0123… --ckn 6b…', 'MKPDUs of a simulated MKA run, their ICVs checked') as Argv<Args>,
  handler: guarded(async (args: Args) => {
    const given = [args.hex, args.file, args.in].filter((x) => x !== undefined).length;
    if (given !== 1) throw new UsageError('explain: give the frame as HEX, with --file, or a capture with --in (one of them)');
    if (args.frame !== undefined && args.in === undefined) throw new UsageError('--frame: only with --in (a capture)');
    if (!isBackendName(args.backend)) throw new UsageError(`--backend: unknown backend ${JSON.stringify(args.backend)}`);
    if (args.in !== undefined) {
      await explainCapture({ ...args, in: args.in }, args.backend);
      return;
    }
    const frame = args.file !== undefined ? readFrameFile(args.file) : fromHex(args.hex ?? '', 'frame');
    const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
    const tree = explainFrame(frame, { ...mkaIckOption(args), ...(sa ? { keys: keyResolver(sa, args.backend), xpn: sa.suite.xpn } : {}) });
    process.stdout.write(args.json ? `${JSON.stringify(tree, null, 2)}\n` : `${renderTree(tree, useColor(process.stdout))}\n`);
  }),
};
