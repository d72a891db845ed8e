/**
 * The receiving side shared by `validate` and `explain --in`: a receive SecY built from an SA file and the
 * receive controls as a user words them, and one receive outcome as a result row.
 */
import type { BackendName } from '../crypto/backend.js';
import type { SaFile } from '../config/sa-file.js';
import { receiveSecY } from '../config/secy-builder.js';
import type { ReceiveOutcome, SecY, ValidateFrames } from '../secy/index.js';
import { ConfigError, UsageError } from '../util/errors.js';

/** The --validate-frames words, lower case as options are, and the 802.1AE values they stand for. */
export const VALIDATE_FRAMES_OPTION: Readonly<Record<string, ValidateFrames>> = { strict: 'Strict', check: 'Check', disabled: 'Disabled' };

/** The receive SecY's controls (10.7) as the options give them: `validateFrames` a key of VALIDATE_FRAMES_OPTION. */
export interface ReceiveControlOptions {
  readonly validateFrames: string;
  readonly replayWindow: number;
  readonly replayProtect: boolean;
}

/** The options that set SecY controls, by the controls' names (10.7): a SecY's ConfigError is reworded under them. */
const CONTROL_OPTIONS: Readonly<Record<string, string>> = { replayWindow: '--replay-window', maxFrameSize: '--max-frame-size' };

/** Runs `body`, rethrowing a SecY's ConfigError about a control an option set as a UsageError naming the option. */
export function namingOptions<T>(body: () => T): T {
  try {
    return body();
  } catch (e) {
    const option = e instanceof ConfigError ? CONTROL_OPTIONS[e.field] : undefined;
    if (option !== undefined && e instanceof ConfigError) throw new UsageError(`${option}: expected ${e.expected}, got ${e.found}`);
    throw e;
  }
}

/** The receive SecY for the file and options; a bad option is a UsageError naming it as the user typed it. */
export function buildReceiveSecY(saFile: SaFile, options: ReceiveControlOptions, backend: BackendName, file: string): SecY {
  const validateFrames = VALIDATE_FRAMES_OPTION[options.validateFrames];
  if (validateFrames === undefined) throw new UsageError(`--validate-frames: expected strict, check or disabled, got ${JSON.stringify(options.validateFrames)}`);
  return namingOptions(() =>
    receiveSecY(saFile, { validateFrames, replayWindow: options.replayWindow, replayProtect: options.replayProtect, backend, file }),
  );
}

/** What became of one received record. */
export interface ReceiveFrameResult {
  readonly frame: number;
  /** delivered: on the Controlled Port (and in --out); dropped; uncontrolled: E=1, C=0 (Uncontrolled Port only); skipped: never received. */
  readonly result: 'delivered' | 'dropped' | 'uncontrolled' | 'skipped';
  readonly counter: string | undefined;
  readonly reason?: string;
  readonly sci?: string;
  readonly an?: number;
  readonly pn?: bigint | undefined;
}

/** One receive outcome as a result row (validate's per-frame result, explain --in's receiver verdict). */
export function frameResult(frame: number, o: ReceiveOutcome): ReceiveFrameResult {
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

/** Where a result's frame pointed, "SCI …, AN …[, PN …]", or undefined when it pointed nowhere. */
export function originText(r: Pick<ReceiveFrameResult, 'sci' | 'an' | 'pn'>): string | undefined {
  return r.sci !== undefined ? `SCI ${r.sci}, AN ${r.an}${r.pn !== undefined ? `, PN ${r.pn}` : ''}` : undefined;
}
