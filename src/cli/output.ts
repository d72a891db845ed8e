/** What every command shares: colour detection, one-line errors, exit codes. */
import { ConfigError } from '../util/errors.js';
import { HexError } from '../util/hex.js';

export const EXIT_OK = 0;
/** Frames rejected, vectors failed. */
export const EXIT_REJECTED = 1;
/** Bad usage or unreadable input. */
export const EXIT_USAGE = 2;

export const useColor = (stream: NodeJS.WriteStream): boolean =>
  stream.isTTY === true && process.env['NO_COLOR'] === undefined && process.env['TERM'] !== 'dumb';

/** An error a user can fix: printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const USER_ERRORS = new Set(['UsageError', 'ConfigError', 'HexError', 'VectorFileError', 'CaptureError', 'WireError', 'ScenarioError', 'MkaError']);

export function isUserError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ConfigError || e instanceof HexError || (e instanceof Error && USER_ERRORS.has(e.name));
}

/** Prints an error in one line and sets the exit code: 2 for bad input, 3 for a fault of ours. */
export function reportError(e: unknown): void {
  if (isUserError(e)) {
    process.stderr.write(`macsec: ${e.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`macsec: internal error: ${message}${process.env['MACSEC_DEBUG'] ? `\n${(e as Error).stack ?? ''}` : ' (set MACSEC_DEBUG=1 for details)'}\n`);
  process.exitCode = 3;
}

/** Runs a command body, turning every throw into a one-line message and an exit code. */
export function guarded<A>(body: (args: A) => void | Promise<void>): (args: A) => Promise<void> {
  return async (args) => {
    try {
      await body(args);
    } catch (e) {
      reportError(e);
    }
  };
}
