/** SA files on disk (Node). */
import { loadJsonFile } from '../util/json-file.js';
import { decodeSaFile, type SaFile } from './sa-file.js';

/** Reads and decodes an SA file; errors name the file, then the field. */
export function loadSaFile(path: string): SaFile {
  return loadJsonFile(path, 'SA file', (doc) => decodeSaFile(doc, path));
}
