import type { Argv, CommandModule } from 'yargs';
import type { FcsMode } from '../../capture/index.js';
import { backendNames } from '../../crypto/backend.js';
import { fileLabel, planOutputs, writesStdout } from '../../runs/files.js';
import { buildReceiveSecY } from '../../runs/receiver.js';
import { LISTED_FRAMES, renderValidateReport, validateReportJson, type ValidateReportContext } from '../../runs/report.js';
import { validateStream } from '../../runs/validate-capture.js';
import { runCaptureStream } from '../capture-stream.js';
import { cakFromArgs, cakOptions, validateWithCak, type CakArgs } from './mka-capture.js';
import {
  backendAndSaFile,
  checkBackend,
  EXIT_REJECTED,
  fastestBackend,
  FCS_MODES,
  guarded,
  receiveControls,
  receiveOptions,
  reportStream,
  toJson,
  UsageError,
  type ReceiveArgs,
} from '../output.js';

interface Args extends ReceiveArgs, CakArgs {
  sa?: string;
  in: string;
  out?: string;
  backend: string;
  fcs: FcsMode;
  json: boolean;
}

export const validateCommand: CommandModule<object, Args> = {
  command: 'validate',
  describe: 'Validate every frame of a MACsec capture with a receiving SecY: what reaches the Controlled Port goes to --out',
  builder: (y: Argv) =>
    cakOptions(receiveOptions(
      y
        .option('sa', { type: 'string', describe: 'SA file (JSON): the receive channels and their SAKs (pn: the lowest acceptable PN)' })
        .option('in', { type: 'string', demandOption: true, describe: 'MACsec frames: pcap or pcapng (- : standard input)' })
        .option('out', { type: 'string', describe: 'where to write the frames delivered to the Controlled Port (pcap, written atomically; - : standard output, the report then goes to stderr)' })
        .option('backend', { type: 'string', default: fastestBackend(), describe: `crypto backend: ${backendNames().join(', ')}` })
        .option('fcs', { choices: FCS_MODES, default: 'auto', describe: 'input frames end with an FCS: auto (the file says, else a CRC-32 that verifies), present, absent' })
        .option('json', { type: 'boolean', default: false, describe: 'print counters and per-frame results as JSON' }),
    ))
      .example('$0 validate --sa examples/sa.json --in protected.pcap --out plain.pcap', 'decrypt and check; exit 1 if any frame was dropped')
      .example('$0 validate --sa peer.json --in wire.pcapng --replay-window 64 --json', 'counters and every frame\'s outcome as JSON')
      .example('$0 validate --in wire.pcap --cak 5828… --ckn bba4… --out plain.pcap', 'an MKA-keyed capture: the SAKs unwrapped from its MKPDUs')
      .example('$0 validate --in wire.pcap --wpa-conf /etc/wpa_supplicant/macsec.conf', 'the CAK and CKN from a wpa_supplicant configuration')
      .epilogue(
        'Output frames are the user data as delivered (SecTAG, ICV and padding removed) with their timestamps. Exit status: 0 every ' +
          'frame delivered, 1 some dropped (or truncated in the capture, or E=1 C=0), 2 bad usage or unreadable input.',
      ) as Argv<Args>,
  handler: guarded(async (args: Args) => {
    const keys = cakFromArgs(args);
    if (keys !== undefined) {
      if (args.sa !== undefined) throw new UsageError('validate: give --sa or the CAK (--cak/--ckn, --wpa-conf), not both');
      await validateWithCak(keys, args, checkBackend(args.backend));
      return;
    }
    if (args.sa === undefined) throw new UsageError('validate: give the keys: --sa FILE, or the CAK with --cak and --ckn (or --wpa-conf FILE)');
    const { backend, saFile } = backendAndSaFile({ backend: args.backend, sa: args.sa });
    const secy = buildReceiveSecY(saFile, receiveControls(args), backend, args.sa);
    const [out] = planOutputs(args.out !== undefined ? [['--out', args.out]] : [], [args.in, args.sa]);
    const { run, format, pace } = await runCaptureStream('validate', args.in, args.fcs, backend, out, (reader, sink, options) =>
      validateStream(secy, reader, sink, { ...options, keep: { rows: args.json, listed: LISTED_FRAMES } }),
    );

    if (run.failedCount > 0) process.exitCode = EXIT_REJECTED;
    const context: ValidateReportContext = { input: fileLabel(args.in, 'in'), format, output: args.out !== undefined ? fileLabel(args.out, 'out') : undefined, saFile, pace };
    reportStream(writesStdout([out])).write(args.json ? `${toJson(validateReportJson(run, context))}\n` : renderValidateReport(run, context));
  }),
};
