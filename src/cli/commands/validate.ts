import type { Argv, CommandModule } from 'yargs';
import type { FcsMode } from '../../capture/index.js';
import { backendNames } from '../../crypto/backend.js';
import { checkOutputPath, outputCapture, readInputCapture, writeOutputFile } from '../../runs/files.js';
import { buildReceiveSecY } from '../../runs/receiver.js';
import { renderValidateReport, validateReportJson, type ValidateReportContext } from '../../runs/report.js';
import { validateCapture } from '../../runs/validate-capture.js';
import { backendAndSaFile, EXIT_REJECTED, FCS_MODES, guarded, progressFor, receiveOptions, toJson, type ReceiveArgs } from '../output.js';

interface Args extends ReceiveArgs {
  sa: string;
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
    receiveOptions(
      y
        .option('sa', { type: 'string', demandOption: true, describe: 'SA file (JSON): the receive channels and their SAKs (pn: the lowest acceptable PN)' })
        .option('in', { type: 'string', demandOption: true, describe: 'MACsec frames: pcap or pcapng' })
        .option('out', { type: 'string', describe: 'where to write the frames delivered to the Controlled Port (pcap, written atomically)' })
        .option('backend', { type: 'string', default: 'noble', describe: `crypto backend: ${backendNames().join(', ')}` })
        .option('fcs', { choices: FCS_MODES, default: 'auto', describe: 'input frames end with an FCS: auto (the file says, else a CRC-32 that verifies), present, absent' })
        .option('json', { type: 'boolean', default: false, describe: 'print counters and per-frame results as JSON' }),
    )
      .example('$0 validate --sa examples/sa.json --in protected.pcap --out plain.pcap', 'decrypt and check; exit 1 if any frame was dropped')
      .example('$0 validate --sa peer.json --in wire.pcapng --replay-window 64 --json', 'counters and every frame\'s outcome as JSON')
      .epilogue(
        'Output frames are the user data as delivered (SecTAG, ICV and padding removed) with their timestamps. Exit status: 0 every ' +
          'frame delivered, 1 some dropped (or truncated in the capture, or E=1 C=0), 2 bad usage or unreadable input.',
      ) as Argv<Args>,
  handler: guarded(async (args: Args) => {
    const { backend, saFile } = backendAndSaFile(args);
    const secy = buildReceiveSecY(saFile, args, backend, args.sa);
    if (args.out !== undefined) checkOutputPath(args.out, '--out');
    const capture = await readInputCapture(args.in, args.fcs);

    const run = validateCapture(secy, capture, { progress: progressFor('validate') });
    if (args.out !== undefined) await writeOutputFile(args.out, outputCapture(run.written));

    if (run.failed.length > 0) process.exitCode = EXIT_REJECTED;
    const context: ValidateReportContext = { input: args.in, format: capture.format, output: args.out, saFile };
    process.stdout.write(args.json ? `${toJson(validateReportJson(run, context))}\n` : renderValidateReport(run, context));
  }),
};
