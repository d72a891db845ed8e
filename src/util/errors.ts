/**
 * A bad parameter given to the library (a key of the wrong length, an AN outside 0-3, ...):
 * names the field, what was expected and what was found. Bad *frames* never throw: see `WireError`.
 */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly found: string,
    /** For subclasses whose detail is not "expected X, got Y" (a vector file's). */
    message = `${field}: expected ${expected}, got ${found}`,
  ) {
    super(message);
  }
}

export function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} octets`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}

/**
 * An error a user can fix that is not one parameter's (a file that cannot be read or written, options that
 * do not go together): the CLI prints its message as one line and exits 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
