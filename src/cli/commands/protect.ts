import type { Argv, CommandModule } from 'yargs';
import type { FcsMode } from '../../capture/index.js';
import { transmitSecY } from '../../config/secy-builder.js';
import { backendNames } from '../../crypto/backend.js';
import { renderWiresharkKeys, WIRESHARK_PSK_FILE, wiresharkKeyEntries } from '../../interop/wireshark-keys.js';
import { fileLabel, planOutputs, writeOutputFile, writesStdout } from '../../runs/files.js';
import { protectStream } from '../../runs/protect-capture.js';
import { namingOptions } from '../../runs/receiver.js';
import { LISTED_FRAMES, protectReportJson, renderProtectReport, type ProtectReportContext } from '../../runs/report.js';
import { runCaptureStream } from '../capture-stream.js';
import { backendAndSaFile, EXIT_REJECTED, fastestBackend, FCS_DEFAULT, FCS_MODES, guarded, MAX_FRAME_SIZE_OPTION, optionalWholeNumber, reportStream, toJson } from '../output.js';

interface Args {
  sa: string;
  in: string;
  out: string;
  backend: string;
  fcs: FcsMode;
  wiresharkKeys?: string;
  maxFrameSize?: unknown;
  json: boolean;
}


export const protectCommand: CommandModule<object, Args> = {
  command: 'protect',
  describe: 'Protect every frame of a capture with a SecY: plain pcap/pcapng in, MACsec pcap out',
  builder: (y: Argv) =>
    y
      .option('sa', { type: 'string', demandOption: true, describe: 'SA file (JSON): the transmit channel, its SAKs, first PN and SecTAG bits' })
      .option('in', { type: 'string', demandOption: true, describe: 'plain Ethernet frames: pcap or pcapng (- : standard input)' })
      .option('out', { type: 'string', demandOption: true, describe: 'where to write the protected frames (pcap, written atomically; - : standard output, the report then goes to stderr)' })
      .option('backend', { type: 'string', default: fastestBackend(), describe: `crypto backend: ${backendNames().join(', ')}` })
      .option('fcs', { choices: FCS_MODES, default: FCS_DEFAULT, describe: 'input frames end with an FCS: auto (the file says, else a CRC-32 that verifies), present, absent' })
      .option('wireshark-keys', { type: 'string', describe: `also write the SAKs as Wireshark's MACsec pre-shared key table (${WIRESHARK_PSK_FILE})` })
      .option('max-frame-size', MAX_FRAME_SIZE_OPTION)
      .option('json', { type: 'boolean', default: false, describe: 'print counters and per-frame results as JSON' })
      .example('$0 protect --sa examples/sa.json --in examples/plain.pcap --out protected.pcap', 'encrypt a capture; PNs count up from the SA file\'s pn')
      .example('$0 protect --sa examples/sa.json --in plain.pcapng --out p.pcap --wireshark-keys psk_config_data', 'and the keys for Wireshark 4.6+')
      .epilogue(
        'Output frames carry no FCS (an input FCS is removed first) and keep their timestamps. Exit status: 0 every frame ' +
          'protected, 1 some refused (too long, PN exhausted, truncated in the capture), 2 bad usage or unreadable input.',
      ),
  handler: guarded(async (args: Args) => {
    const { backend, saFile } = backendAndSaFile(args);
    const maxFrameSize = optionalWholeNumber(args.maxFrameSize, '--max-frame-size');
    const secy = namingOptions(() => transmitSecY(saFile, { backend, file: args.sa, maxFrameSize }));
    const [out, keysFile] = planOutputs([['--out', args.out], ...(args.wiresharkKeys !== undefined ? [['--wireshark-keys', args.wiresharkKeys] as const] : [])], [args.in, args.sa]);
    const wiresharkKeys = keysFile !== undefined ? { file: fileLabel(keysFile.path, 'out'), keys: renderWiresharkKeys(wiresharkKeyEntries(saFile)) } : undefined;
    const { run, format, pace } = await runCaptureStream('protect', args.in, args.fcs, backend, out, (reader, sink, options) =>
      protectStream(secy, reader, sink, { ...options, keep: { rows: args.json, listed: LISTED_FRAMES } }),
    );
    if (keysFile !== undefined && wiresharkKeys !== undefined) await writeOutputFile(keysFile, new TextEncoder().encode(wiresharkKeys.keys.text));

    if (run.failedCount > 0) process.exitCode = EXIT_REJECTED;
    const context: ProtectReportContext = { input: fileLabel(args.in, 'in'), format, output: fileLabel(args.out, 'out'), saFile, wiresharkKeys, pace };
    reportStream(writesStdout([out, keysFile])).write(args.json ? `${toJson(protectReportJson(run, context))}\n` : renderProtectReport(run, context));
  }),
};
