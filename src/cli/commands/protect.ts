import type { Argv, CommandModule } from 'yargs';
import type { FcsMode } from '../../capture/index.js';
import { transmitSecY } from '../../config/secy-builder.js';
import { backendNames } from '../../crypto/backend.js';
import { renderWiresharkKeys, WIRESHARK_PSK_FILE, wiresharkKeyEntries } from '../../interop/wireshark-keys.js';
import { checkOutputPath, outputCapture, readInputCapture, writeOutputFile } from '../../runs/files.js';
import { protectCapture } from '../../runs/protect-capture.js';
import { protectReportJson, renderProtectReport, type ProtectReportContext } from '../../runs/report.js';
import { backendAndSaFile, EXIT_REJECTED, FCS_MODES, guarded, progressFor, toJson } from '../output.js';

interface Args {
  sa: string;
  in: string;
  out: string;
  backend: string;
  fcs: FcsMode;
  wiresharkKeys?: string;
  json: boolean;
}

const FCS_DEFAULT: FcsMode = 'auto';

export const protectCommand: CommandModule<object, Args> = {
  command: 'protect',
  describe: 'Protect every frame of a capture with a SecY: plain pcap/pcapng in, MACsec pcap out',
  builder: (y: Argv) =>
    y
      .option('sa', { type: 'string', demandOption: true, describe: 'SA file (JSON): the transmit channel, its SAKs, first PN and SecTAG bits' })
      .option('in', { type: 'string', demandOption: true, describe: 'plain Ethernet frames: pcap or pcapng' })
      .option('out', { type: 'string', demandOption: true, describe: 'where to write the protected frames (pcap, written atomically)' })
      .option('backend', { type: 'string', default: 'noble', describe: `crypto backend: ${backendNames().join(', ')}` })
      .option('fcs', { choices: FCS_MODES, default: FCS_DEFAULT, describe: 'input frames end with an FCS: auto (the file says, else a CRC-32 that verifies), present, absent' })
      .option('wireshark-keys', { type: 'string', describe: `also write the SAKs as Wireshark's MACsec pre-shared key table (${WIRESHARK_PSK_FILE})` })
      .option('json', { type: 'boolean', default: false, describe: 'print counters and per-frame results as JSON' })
      .example('$0 protect --sa examples/sa.json --in examples/plain.pcap --out protected.pcap', 'encrypt a capture; PNs count up from the SA file\'s pn')
      .example('$0 protect --sa examples/sa.json --in plain.pcapng --out p.pcap --wireshark-keys psk_config_data', 'and the keys for Wireshark 4.6+')
      .epilogue(
        'Output frames carry no FCS (an input FCS is removed first) and keep their timestamps. Exit status: 0 every frame ' +
          'protected, 1 some refused (too long, PN exhausted, truncated in the capture), 2 bad usage or unreadable input.',
      ),
  handler: guarded(async (args: Args) => {
    const { backend, saFile } = backendAndSaFile(args);
    const secy = transmitSecY(saFile, { backend, file: args.sa });
    checkOutputPath(args.out, '--out');
    if (args.wiresharkKeys !== undefined) checkOutputPath(args.wiresharkKeys, '--wireshark-keys');
    const wiresharkKeys = args.wiresharkKeys !== undefined ? { file: args.wiresharkKeys, keys: renderWiresharkKeys(wiresharkKeyEntries(saFile)) } : undefined;
    const capture = await readInputCapture(args.in, args.fcs);

    const run = protectCapture(secy, capture, { progress: progressFor('protect') });
    const image = outputCapture(run.written);
    if (wiresharkKeys !== undefined) await writeOutputFile(wiresharkKeys.file, new TextEncoder().encode(wiresharkKeys.keys.text));
    await writeOutputFile(args.out, image);

    if (run.failed.length > 0) process.exitCode = EXIT_REJECTED;
    const context: ProtectReportContext = { input: args.in, format: capture.format, output: args.out, saFile, wiresharkKeys };
    process.stdout.write(args.json ? `${toJson(protectReportJson(run, context))}\n` : renderProtectReport(run, context));
  }),
};
