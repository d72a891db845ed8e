/** Scenario files on disk (Node). */
import { basename } from 'node:path';
import { loadJsonFile } from '../util/json-file.js';
import { decodeScenario, type Scenario } from './scenario.js';

/** Reads and decodes a scenario file; its name defaults to the file's. */
export function loadScenarioFile(path: string): Scenario {
  return loadJsonFile(path, 'scenario file', (doc) => decodeScenario(doc, basename(path, '.json')));
}
