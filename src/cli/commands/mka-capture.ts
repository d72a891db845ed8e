/** The CAK options of `validate` and `explain --in` (--cak/--ckn or --wpa-conf, --show-keys) and validate's CAK run. */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Argv } from 'yargs';
import { openCaptureFile, type FcsMode } from '../../capture/index.js';
import type { BackendName } from '../../crypto/backend.js';
import { fileLabel, planOutputs, writesStdout, type InputCapture } from '../../runs/files.js';
import { MkaObserver } from '../../runs/mka-capture.js';
import { mkaValidateReportJson, renderMkaValidateReport, validateMkaStream } from '../../runs/mka-run.js';
import { LISTED_FRAMES } from '../../runs/report.js';
import { readWpaConf, type CakAndCkn } from '../../runs/wpa-conf.js';
import { fromHex } from '../../util/hex.js';
import { runCaptureStream } from '../capture-stream.js';
import { EXIT_REJECTED, receiveControls, reportStream, toJson, UsageError, type ReceiveArgs } from '../output.js';

export interface CakArgs {
  cak?: string;
  ckn?: string;
  'wpa-conf'?: string;
  'show-keys'?: boolean;
}

/** --wpa-conf and --show-keys (explain already has --cak and --ckn; validate adds them with `withCak`). */
export function wpaConfOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('wpa-conf', { type: 'string', describe: 'MKA: take the CAK and CKN from this wpa_supplicant configuration (its mka_cak and mka_ckn)' })
    .option('show-keys', { type: 'boolean', default: false, describe: 'MKA: print the SAKs unwrapped from the capture (by default only their KN, AN and key server)' });
}

export function cakOptions<T>(y: Argv<T>): Argv<T> {
  return wpaConfOptions(
    y
      .option('cak', { type: 'string', describe: 'MKA: the CAK (hex), with --ckn: follow the SAKs the MKPDUs distribute, no SA file needed' })
      .option('ckn', { type: 'string', describe: 'MKA: the CKN (hex) the CAK goes by' }),
  );
}

/** The CAK and CKN the options give, or undefined when they give none; a half-given pair is a usage error. */
export function cakFromArgs(args: CakArgs): CakAndCkn | undefined {
  const wpa = args['wpa-conf'];
  if (wpa !== undefined && (args.cak !== undefined || args.ckn !== undefined)) throw new UsageError('--wpa-conf: give it or --cak and --ckn, not both');
  if (wpa !== undefined) return readWpaConf(wpa);
  if ((args.cak === undefined) !== (args.ckn === undefined)) throw new UsageError('--cak and --ckn go together');
  if (args.cak === undefined || args.ckn === undefined) return undefined;
  return { cak: fromHex(args.cak, '--cak'), ckn: fromHex(args.ckn, '--ckn') };
}

/** A ConfigError from the key hierarchy names the key; as a usage error it names the option. */
export function mkaObserver(keys: CakAndCkn, args: CakArgs & ReceiveArgs, backend: BackendName): MkaObserver {
  if (keys.cak.length !== 16 && keys.cak.length !== 32) throw new UsageError(`--cak: expected 16 or 32 octets, got ${keys.cak.length}`);
  if (keys.ckn.length < 1 || keys.ckn.length > 32) throw new UsageError(`--ckn: expected 1-32 octets, got ${keys.ckn.length}`);
  return new MkaObserver({ ...keys, controls: receiveControls(args), backend, showKeys: args['show-keys'] === true });
}

interface ValidateCakArgs extends CakArgs, ReceiveArgs {
  in: string;
  out?: string;
  fcs: FcsMode;
  json: boolean;
}

/**
 * validate --cak/--wpa-conf: the capture streamed through an MKA observer, what reached the Controlled Port
 * streamed to --out; exit 1 if anything after the first SAK was not delivered. Rows are kept as plain
 * validate keeps them: every one for --json, else the first failures listed.
 */
export async function validateWithCak(keys: CakAndCkn, args: ValidateCakArgs, backend: BackendName): Promise<void> {
  const observer = mkaObserver(keys, args, backend);
  const [out] = planOutputs(args.out !== undefined ? [['--out', args.out]] : [], [args.in, ...(args['wpa-conf'] !== undefined ? [args['wpa-conf']] : [])]);
  const { run, format } = await runCaptureStream('validate', args.in, args.fcs, backend, out, (reader, sink, options) =>
    validateMkaStream(observer, reader, sink, { ...options, keep: { rows: args.json, listed: LISTED_FRAMES } }),
  );
  if (run.failedCount > 0) process.exitCode = EXIT_REJECTED;
  const files = { input: fileLabel(args.in, 'in'), format, output: args.out !== undefined ? fileLabel(args.out, 'out') : undefined };
  reportStream(writesStdout([out])).write(args.json ? `${toJson(mkaValidateReportJson(run, files))}\n` : renderMkaValidateReport(run, files));
}

/**
 * A capture given on standard input, copied to a temporary file so that it can be read twice (explain
 * --cak on every frame: the keys first, then the frames) in flat memory; `open` reads it as "stdin".
 */
export async function spoolStdin(fcsMode: FcsMode): Promise<{ open(): Promise<InputCapture>; remove(): Promise<void> }> {
  if (process.stdin.isTTY === true) throw new UsageError('--in -: standard input is a terminal, not a capture (pipe one in)');
  const dir = await mkdtemp(join(tmpdir(), 'macsec-stdin-'));
  const path = join(dir, 'capture');
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(process.stdin, createWriteStream(path));
  } catch (e) {
    await remove();
    throw new UsageError(`stdin: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return { open: (): Promise<InputCapture> => openCaptureFile(path, { fcsMode }, 'stdin'), remove };
}
