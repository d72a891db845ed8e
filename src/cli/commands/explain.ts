import type { Argv, CommandModule } from 'yargs';
import type { FcsMode } from '../../capture/index.js';
import { isBackendName, type BackendName } from '../../crypto/backend.js';
import { keyResolver } from '../../config/keys.js';
import { loadSaFile } from '../../config/files.js';
import { explainFrame, type ExplainOptions } from '../../explain/explain.js';
import { renderTree } from '../../explain/tree.js';
import { ickLookup } from '../../mka/keys.js';
import { checkFrameNumber, explainCapture, explainReceiver } from '../../runs/explain-capture.js';
import { readFrameFile, readInputCapture } from '../../runs/files.js';
import { explainedFrameJson, renderExplainedFrame, renderExplainReport } from '../../runs/report.js';
import { fromHex } from '../../util/hex.js';
import { FCS_MODES, guarded, progressFor, receiveOptions, toJson, UsageError, useColor, type ReceiveArgs } from '../output.js';

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

/** explain --in: the frames of a capture (or --frame N), received in order with --sa (see explainCapture). */
async function explainCaptureFile(args: Args & { in: string }, backend: BackendName): Promise<void> {
  const capture = await readInputCapture(args.in, args.fcs);
  checkFrameNumber(args.frame, capture.records.length, args.in);
  const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
  const explain = mkaIckOption(args);
  const receiver = sa !== undefined && args.sa !== undefined ? explainReceiver(sa, args, backend, args.sa) : undefined;
  const color = useColor(process.stdout);
  const docs: unknown[] = [];
  const texts: string[] = [];
  const summary = explainCapture(capture, { frame: args.frame, explain, receiver, progress: progressFor('explain') }, (f) =>
    args.json ? docs.push(explainedFrameJson(f)) : texts.push(renderExplainedFrame(f, color)),
  );
  process.stdout.write(args.json ? `${toJson(docs)}\n` : renderExplainReport(texts, summary));
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
        .option('fcs', { choices: FCS_MODES, default: 'auto', describe: 'with --in: frames end with an FCS: auto, present, absent' })
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
      await explainCaptureFile({ ...args, in: args.in }, args.backend);
      return;
    }
    const frame = args.file !== undefined ? readFrameFile(args.file) : fromHex(args.hex ?? '', 'frame');
    const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
    const tree = explainFrame(frame, { ...mkaIckOption(args), ...(sa ? { keys: keyResolver(sa, args.backend), xpn: sa.suite.xpn } : {}) });
    process.stdout.write(args.json ? `${JSON.stringify(tree, null, 2)}\n` : `${renderTree(tree, useColor(process.stdout))}\n`);
  }),
};
