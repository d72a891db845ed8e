/** JSON files on disk (Node): read, parsed and decoded, every error naming the file. */
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, 'valid JSON', (e as Error).message);
  }
}

/**
 * Reads a JSON file and decodes it; every ConfigError then names the file first
 * ("sa.json: channels[0].key: expected ..."), and an unreadable file says why in one line.
 */
export function loadJsonFile<T>(path: string, what: string, decode: (doc: unknown) => T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, `a readable ${what}`, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  try {
    return decode(parseJson(text, path));
  } catch (e) {
    if (e instanceof ConfigError && !e.field.startsWith(path)) throw new ConfigError(`${path}: ${e.field}`, e.expected, e.found);
    throw e;
  }
}
