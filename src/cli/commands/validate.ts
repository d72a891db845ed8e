import type { Argv, CommandModule } from 'yargs';
import { writePcap, type FcsMode, type WritableRecord } from '../../capture/index.js';
import { loadSaFile, type SaFile } from '../../config/sa-file.js';
import { receiveAll, receiveSecY } from '../../config/secy-builder.js';
import { BACKEND_NAMES, type BackendName } from '../../crypto/backend.js';
import type { ReceiveOutcome, SecY, ValidateFrames } from '../../secy/index.js';
import { ConfigError } from '../../util/errors.js';
import { EXIT_REJECTED, guarded, UsageError } from '../output.js';
import {
  checkBackend,
  checkOutputPath,
  FCS_MODES,
  LISTED_FRAMES,
  outputResolution,
  progressFor,
  readInputCapture,
  toJson,
  truncatedReason,
  writeOutputFile,
} from './protect.js';

/** The --validate-frames words, lower case as options are, and the 802.1AE values they stand for. */
export const VALIDATE_FRAMES_OPTION: Readonly<Record<string, ValidateFrames>> = { strict: 'Strict', check: 'Check', disabled: 'Disabled' };

export interface ReceiveArgs {
  validateFrames: string;
  replayWindow: number;
  replayProtect: boolean;
}

/** yargs options shared by validate and explain --in: the receive SecY's controls (10.7). */
export function receiveOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('validate-frames', { choices: Object.keys(VALIDATE_FRAMES_OPTION), default: 'strict', describe: 'validateFrames: strict drops what fails, check delivers it counted, disabled skips validation of C=0 frames' })
    .option('replay-window', { type: 'number', default: 0, describe: 'replayWindow: how far below the highest PN seen a frame may arrive (0: strictly increasing)' })
    .option('replay-protect', { type: 'boolean', default: true, describe: 'replayProtect (--no-replay-protect accepts any PN)' }) as unknown as Argv<T>;
}

/** The receive SecY for the file and options; a bad option is named as the user typed it. */
export function buildReceiveSecY(saFile: SaFile, args: ReceiveArgs, backend: BackendName, file: string): SecY {
  const validateFrames = VALIDATE_FRAMES_OPTION[args.validateFrames];
  if (validateFrames === undefined) throw new UsageError(`--validate-frames: expected strict, check or disabled, got ${JSON.stringify(args.validateFrames)}`);
  try {
    return receiveSecY(saFile, { validateFrames, replayWindow: args.replayWindow, replayProtect: args.replayProtect, backend, file });
  } catch (e) {
    if (e instanceof ConfigError && e.field === 'replayWindow') throw new UsageError(`--replay-window: expected ${e.expected}, got ${e.found}`);
    throw e;
  }
}

interface Args extends ReceiveArgs {
  sa: string;
  in: string;
  out?: string;
  backend: string;
  fcs: FcsMode;
  json: boolean;
}

/** What became of one record of the input. */
export interface FrameResult {
  readonly frame: number;
  /** delivered: on the Controlled Port (and in --out); dropped; uncontrolled: E=1, C=0 (Uncontrolled Port only); skipped: never received. */
  readonly result: 'delivered' | 'dropped' | 'uncontrolled' | 'skipped';
  readonly counter: string | undefined;
  readonly reason?: string;
  readonly sci?: string;
  readonly an?: number;
  readonly pn?: bigint | undefined;
}

/** One receive outcome as a result row (also explain --in's receiver verdict). */
export function frameResult(frame: number, o: ReceiveOutcome): FrameResult {
  const result = o.kind === 'controlled' ? 'delivered' : o.kind === 'dropped' ? 'dropped' : 'uncontrolled';
  const origin = o.kind === 'uncontrolled' ? undefined : o.origin;
  return {
    frame,
    result,
    counter: o.counter,
    ...(o.kind === 'dropped' ? { reason: o.reason } : o.kind === 'uncontrolled' ? { reason: 'E=1 with C=0 (reserved, 9.5): to the Uncontrolled Port only' } : {}),
    ...(origin !== undefined ? { sci: origin.sci, an: origin.an, pn: origin.pn } : {}),
  };
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
        .option('backend', { type: 'string', default: 'noble', describe: `crypto backend: ${BACKEND_NAMES.join(', ')}` })
        .option('fcs', { choices: FCS_MODES, default: 'auto' as FcsMode, describe: 'input frames end with an FCS: auto (the file says, else a CRC-32 that verifies), present, absent' })
        .option('json', { type: 'boolean', default: false, describe: 'print counters and per-frame results as JSON' }),
    )
      .example('$0 validate --sa examples/sa.json --in protected.pcap --out plain.pcap', 'decrypt and check; exit 1 if any frame was dropped')
      .example('$0 validate --sa peer.json --in wire.pcapng --replay-window 64 --json', 'counters and every frame\'s outcome as JSON')
      .epilogue(
        'Output frames are the user data as delivered (SecTAG, ICV and padding removed) with their timestamps. Exit status: 0 every ' +
          'frame delivered, 1 some dropped (or truncated in the capture, or E=1 C=0), 2 bad usage or unreadable input.',
      ) as Argv<Args>,
  handler: guarded(async (args: Args) => {
    const backend = checkBackend(args.backend);
    const saFile = loadSaFile(args.sa);
    const secy = buildReceiveSecY(saFile, args, backend, args.sa);
    if (args.out !== undefined) checkOutputPath(args.out, '--out');
    const capture = await readInputCapture(args.in, args.fcs);

    const results: FrameResult[] = new Array(capture.records.length);
    const received: number[] = [];
    capture.records.forEach((r, i) => {
      const why = truncatedReason(r);
      if (why === undefined) received.push(i);
      else results[i] = { frame: i + 1, result: 'skipped', counter: undefined, reason: why };
    });
    const progress = progressFor('validate', received.length);
    const outcomes = receiveAll(
      secy,
      received.map((i) => capture.records[i]!.data),
      (d) => progress.update(d),
    );
    progress.done();

    const written: WritableRecord[] = [];
    outcomes.forEach((o, k) => {
      const i = received[k]!;
      results[i] = frameResult(i + 1, o);
      if (o.kind === 'controlled') written.push({ data: o.frame, timestampNs: capture.records[i]!.timestampNs });
    });
    if (args.out !== undefined) await writeOutputFile(args.out, writePcap(written, { resolution: outputResolution(written) }));

    const failed = results.filter((r) => r.result !== 'delivered');
    if (failed.length > 0) process.exitCode = EXIT_REJECTED;
    const delivered = new Map<string, number>();
    for (const r of results) if (r.result === 'delivered') delivered.set(r.counter!, (delivered.get(r.counter!) ?? 0) + 1);

    if (args.json) {
      process.stdout.write(
        `${toJson({
          input: { file: args.in, format: capture.format, frames: capture.records.length },
          output: args.out !== undefined ? { file: args.out, frames: written.length } : null,
          cipherSuite: saFile.suite.name,
          delivered: written.length,
          dropped: results.filter((r) => r.result === 'dropped').length,
          uncontrolled: results.filter((r) => r.result === 'uncontrolled').length,
          skipped: results.filter((r) => r.result === 'skipped').length,
          counters: secy.counters(),
          frames: results,
        })}\n`,
      );
      return;
    }
    const out: string[] = [secy.formatCounters(), ''];
    for (const r of failed.slice(0, LISTED_FRAMES)) {
      const where = r.sci !== undefined ? ` [SCI ${r.sci}, AN ${r.an}${r.pn !== undefined ? `, PN ${r.pn}` : ''}]` : '';
      out.push(`${r.result}: frame ${r.frame}: ${r.counter !== undefined ? `${r.counter}: ` : ''}${r.reason ?? ''}${where}`);
    }
    if (failed.length > LISTED_FRAMES) out.push(`... and ${failed.length - LISTED_FRAMES} more (--json lists every frame)`);
    const byCounter = [...delivered].map(([c, n]) => `${c} ${n}`).join(', ');
    out.push(
      `validate: ${capture.records.length} frames from ${args.in} (${capture.format}): ${written.length} delivered` +
        `${byCounter ? ` (${byCounter})` : ''}, ${failed.length} not${args.out !== undefined ? ` -> ${args.out}` : ''}`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  }),
};
