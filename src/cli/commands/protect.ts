import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { CaptureError, readCaptureFile, writeCaptureFileAtomic, writePcap, type Capture, type CaptureRecord, type FcsMode, type WritableRecord } from '../../capture/index.js';
import { loadSaFile } from '../../config/sa-file.js';
import { MIN_TRANSMIT_FRAME, transmitAll, transmitSecY } from '../../config/secy-builder.js';
import { BACKEND_NAMES, isBackendName, type BackendName } from '../../crypto/backend.js';
import { renderWiresharkKeys, WIRESHARK_PSK_FILE, wiresharkKeyEntries } from '../../interop/wireshark-keys.js';
import { formatCounters, type TransmitOutcome } from '../../secy/index.js';
import { Progress } from '../../util/progress.js';
import { sciHex } from '../../wire/sci.js';
import { EXIT_REJECTED, guarded, UsageError } from '../output.js';

// ---------------------------------------------------------------- shared by protect, validate and explain --in

/** Captures with more frames than this get a progress bar (on a terminal): below it a run is too quick to need one. */
export const PROGRESS_MIN_FRAMES = 2000;

/** At most this many refused or dropped frames are listed in text; --json lists them all. */
export const LISTED_FRAMES = 20;

export const FCS_MODES: readonly FcsMode[] = ['auto', 'present', 'absent'];

export function checkBackend(name: string): BackendName {
  if (!isBackendName(name)) throw new UsageError(`--backend: expected ${BACKEND_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  return name;
}

/** Reads a pcap or pcapng file; a file that cannot be opened is a usage error (exit 2), not a crash. */
export async function readInputCapture(path: string, fcsMode: FcsMode): Promise<Capture> {
  try {
    return await readCaptureFile(path, { fcsMode });
  } catch (e) {
    if (e instanceof CaptureError) throw e; // already one line naming the file and the offset
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot read (${typeof code === 'string' ? code : (e as Error).message})`);
  }
}

/**
 * Checks before any work that an output file can be written where asked (its folder exists, it is not a
 * folder), so a run never does all its work and then fails to write.
 */
export function checkOutputPath(path: string, option: string): void {
  const folder = dirname(path);
  let ok: boolean;
  try {
    ok = statSync(folder).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError(`${option} ${path}: no folder ${folder}`);
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${option} ${path}: is a folder`);
  } catch (e) {
    if (e instanceof UsageError) throw e; // a path that does not exist yet is the usual case
  }
}

/** Writes a file atomically (a temporary file renamed over the path): never half-written, even on error. */
export async function writeOutputFile(path: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeCaptureFileAtomic(path, bytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: cannot write (${typeof code === 'string' ? code : (e as Error).message})`);
  }
}

/**
 * pcap in microseconds where every timestamp fits them (what every reader knows), else in nanoseconds:
 * either way each record's timestamp is kept exactly.
 */
export function outputResolution(records: readonly WritableRecord[]): 'us' | 'ns' {
  return records.some((r) => r.timestampNs % 1000n !== 0n) ? 'ns' : 'us';
}

/** Why a record cannot be handed to a SecY, or undefined if it can. */
export function truncatedReason(r: CaptureRecord): string | undefined {
  return r.truncated ? `truncated in the capture: ${r.data.length} of ${r.originalLength} octets captured, so it cannot be processed whole` : undefined;
}

/** A progress bar for a long capture, or a no-op for a short one. */
export function progressFor(label: string, frames: number): { update: (done: number) => void; done: () => void } {
  if (frames <= PROGRESS_MIN_FRAMES) return { update: () => undefined, done: () => undefined };
  const p = new Progress(label);
  return { update: (d) => p.update(d), done: () => p.done() };
}

/** JSON with bigints (PNs) as decimal strings. */
export const toJson = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

// ---------------------------------------------------------------- protect

interface Args {
  sa: string;
  in: string;
  out: string;
  backend: string;
  fcs: FcsMode;
  wiresharkKeys?: string;
  json: boolean;
}

/** What became of one record of the input. */
type FrameResult =
  | { readonly frame: number; readonly result: 'protected'; readonly counter: string; readonly an: number | undefined; readonly pn: bigint | undefined; readonly length: number }
  | { readonly frame: number; readonly result: 'refused' | 'skipped'; readonly counter: string | undefined; readonly reason: string };

export const protectCommand: CommandModule<object, Args> = {
  command: 'protect',
  describe: 'Protect every frame of a capture with a SecY: plain pcap/pcapng in, MACsec pcap out',
  builder: (y: Argv) =>
    y
      .option('sa', { type: 'string', demandOption: true, describe: 'SA file (JSON): the transmit channel, its SAKs, first PN and SecTAG bits' })
      .option('in', { type: 'string', demandOption: true, describe: 'plain Ethernet frames: pcap or pcapng' })
      .option('out', { type: 'string', demandOption: true, describe: 'where to write the protected frames (pcap, written atomically)' })
      .option('backend', { type: 'string', default: 'noble', describe: `crypto backend: ${BACKEND_NAMES.join(', ')}` })
      .option('fcs', { choices: FCS_MODES, default: 'auto' as FcsMode, describe: 'input frames end with an FCS: auto (the file says, else a CRC-32 that verifies), present, absent' })
      .option('wireshark-keys', { type: 'string', describe: `also write the SAKs as Wireshark's MACsec pre-shared key table (${WIRESHARK_PSK_FILE})` })
      .option('json', { type: 'boolean', default: false, describe: 'print counters and per-frame results as JSON' })
      .example('$0 protect --sa examples/sa.json --in examples/plain.pcap --out protected.pcap', 'encrypt a capture; PNs count up from the SA file\'s pn')
      .example('$0 protect --sa examples/sa.json --in plain.pcapng --out p.pcap --wireshark-keys psk_config_data', 'and the keys for Wireshark 4.6+')
      .epilogue(
        'Output frames carry no FCS (an input FCS is removed first) and keep their timestamps. Exit status: 0 every frame ' +
          'protected, 1 some refused (too long, PN exhausted, truncated in the capture), 2 bad usage or unreadable input.',
      ) as Argv<Args>,
  handler: guarded(async (args: Args) => {
    const backend = checkBackend(args.backend);
    const saFile = loadSaFile(args.sa);
    const secy = transmitSecY(saFile, { backend, file: args.sa });
    checkOutputPath(args.out, '--out');
    if (args.wiresharkKeys !== undefined) checkOutputPath(args.wiresharkKeys, '--wireshark-keys');
    const keys = args.wiresharkKeys !== undefined ? renderWiresharkKeys(wiresharkKeyEntries(saFile)) : undefined;
    const capture = await readInputCapture(args.in, args.fcs);

    // Frames the SecY can take; the others are reported, never silently lost.
    const results: FrameResult[] = new Array(capture.records.length);
    const sendable: number[] = [];
    capture.records.forEach((r, i) => {
      const why =
        truncatedReason(r) ??
        (r.data.length < MIN_TRANSMIT_FRAME ? `${r.data.length} octets: shorter than ${MIN_TRANSMIT_FRAME} (addresses and EtherType)` : undefined);
      if (why === undefined) sendable.push(i);
      else results[i] = { frame: i + 1, result: 'skipped', counter: undefined, reason: why };
    });
    const progress = progressFor('protect', sendable.length);
    const outcomes: TransmitOutcome[] = transmitAll(
      secy,
      sendable.map((i) => capture.records[i]!.data),
      (d) => progress.update(d),
    );
    progress.done();

    const written: WritableRecord[] = [];
    outcomes.forEach((o, k) => {
      const i = sendable[k]!;
      if (o.kind === 'transmitted') {
        written.push({ data: o.frame, timestampNs: capture.records[i]!.timestampNs });
        results[i] = { frame: i + 1, result: 'protected', counter: o.counter, an: o.an, pn: o.pn, length: o.frame.length };
      } else {
        results[i] = { frame: i + 1, result: 'refused', counter: o.counter, reason: o.reason };
      }
    });
    const image = writePcap(written, { resolution: outputResolution(written) });
    if (keys !== undefined && args.wiresharkKeys !== undefined) await writeOutputFile(args.wiresharkKeys, new TextEncoder().encode(keys.text));
    await writeOutputFile(args.out, image);

    const sci = sciHex(secy.sci);
    const an = secy.encodingSA;
    const nextPN = secy.transmitSAState(an)?.nextPN;
    const failed = results.filter((r) => r.result !== 'protected');
    const pns = results.flatMap((r) => (r.result === 'protected' && r.pn !== undefined ? [r.pn] : []));
    if (failed.length > 0) process.exitCode = EXIT_REJECTED;

    if (args.json) {
      process.stdout.write(
        `${toJson({
          input: { file: args.in, format: capture.format, frames: capture.records.length },
          output: { file: args.out, frames: written.length },
          cipherSuite: saFile.suite.name,
          sci,
          an,
          nextPN,
          protected: written.length,
          refused: failed.filter((r) => r.result === 'refused').length,
          skipped: failed.filter((r) => r.result === 'skipped').length,
          counters: secy.counters(),
          ...(keys !== undefined ? { wiresharkKeys: { file: args.wiresharkKeys, rows: keys.rows, skipped: keys.skipped, install: `~/.config/wireshark/${WIRESHARK_PSK_FILE}` } } : {}),
          frames: results,
        })}\n`,
      );
      return;
    }
    // The transmit side only: the peers' receive SCs are in this SecY just for the SC bit (10.5.3) and count nothing.
    const out: string[] = [formatCounters({ ...secy.counters(), receiveSCs: [] }), ''];
    for (const r of failed.slice(0, LISTED_FRAMES)) {
      out.push(`${r.result}: frame ${r.frame}: ${r.counter !== undefined ? `${r.counter}: ` : ''}${r.reason}`);
    }
    if (failed.length > LISTED_FRAMES) out.push(`... and ${failed.length - LISTED_FRAMES} more (--json lists every frame)`);
    const mode = saFile.confidentiality ? `encrypted${saFile.confidentialityOffset ? `, offset ${saFile.confidentialityOffset}` : ''}` : 'integrity only';
    const range = pns.length > 0 ? `, PN ${pns[0]}-${pns[pns.length - 1]}` : '';
    out.push(
      `protect: ${capture.records.length} frames from ${args.in} (${capture.format}): ${written.length} protected, ${failed.length} not ` +
        `-> ${args.out} (${saFile.suite.name}, ${mode}, SCI ${sci}, AN ${an}${range})`,
    );
    if (nextPN !== undefined && written.length > 0) {
      out.push(`next PN of AN ${an}: ${nextPN} (start the next run there: a PN must never repeat under one SAK)`);
    }
    if (keys !== undefined && args.wiresharkKeys !== undefined) {
      out.push(`Wireshark keys: ${keys.rows} written to ${args.wiresharkKeys} (Wireshark 4.6 or newer, MACsec "Pre-Shared Key List")`);
      for (const s of keys.skipped) out.push(`  ${s}`);
      if (keys.rows > 0) {
        out.push(`  install: cp ${args.wiresharkKeys} ~/.config/wireshark/${WIRESHARK_PSK_FILE}   (a named profile: ~/.config/wireshark/profiles/NAME/), then restart Wireshark`);
        if (!saFile.includeSci && !saFile.endStation) out.push('  note: these frames carry no SCI (includeSci false), and Wireshark tries its keys only on frames whose SCI it knows');
        if (saFile.confidentiality && saFile.confidentialityOffset !== 0) out.push('  note: Wireshark decrypts with offset 0 only: these frames will not verify there');
      }
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }),
};
