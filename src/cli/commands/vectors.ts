import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_NAMES, isBackendName, type BackendName } from '../../crypto/backend.js';
import { loadVectorFile, runVector, type VectorResult } from '../../conformance/vectors.js';
import { packageRoot } from '../../util/paths.js';
import { EXIT_REJECTED, guarded, UsageError, useColor } from '../output.js';

interface Args {
  files: string[];
  backend: string;
  json: boolean;
}

function shippedVectorFiles(): string[] {
  const dir = join(packageRoot(), 'vectors');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));
}

export const vectorsCommand: CommandModule<object, Args> = {
  command: 'vectors [files..]',
  describe: 'Run MACsec test vectors (IEEE 802.1AE Annex C by default) in both directions',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: [] as string[], describe: 'vector files in the shared JSON schema (default: the shipped vectors/)' })
      .option('backend', { type: 'string', default: 'noble', describe: `crypto backend: ${BACKEND_NAMES.join(', ')} or all` })
      .option('json', { type: 'boolean', default: false, describe: 'print the results as JSON' })
      .example('$0 vectors', 'all 32 Annex C vectors on the default backend')
      .example('$0 vectors --backend all', 'every vector on every backend')
      .example('$0 vectors lab-frames.json --backend node', 'frames captured elsewhere, with their SAK') as Argv<Args>,
  handler: guarded((args: Args) => {
    const backends: BackendName[] = args.backend === 'all' ? [...BACKEND_NAMES] : isBackendName(args.backend) ? [args.backend] : [];
    if (backends.length === 0) throw new UsageError(`--backend: expected ${BACKEND_NAMES.join(', ')} or all, got ${JSON.stringify(args.backend)}`);
    const files = args.files.length > 0 ? args.files : shippedVectorFiles();
    const vectors = files.flatMap((f) => loadVectorFile(f));
    const results: VectorResult[] = [];
    const color = useColor(process.stdout);
    const paint = (ok: boolean, text: string) => (color ? `\x1b[${ok ? 32 : 31}m${text}\x1b[0m` : text);
    for (const v of vectors) {
      for (const backend of backends) {
        const r = runVector(v, backend);
        results.push(r);
        if (args.json) continue;
        const word = r.status === 'pass' ? paint(true, 'PASS') : paint(false, r.status === 'fail' ? 'FAIL' : 'BAD ');
        process.stdout.write(`${word}  ${r.name} [${backend}]\n`);
        for (const p of r.problems) process.stdout.write(`      ${r.status === 'inconsistent' ? 'inconsistent vector: ' : ''}${p}\n`);
      }
    }
    const passed = results.filter((r) => r.status === 'pass').length;
    const failed = results.length - passed;
    if (args.json) process.stdout.write(`${JSON.stringify({ passed, failed, results }, null, 2)}\n`);
    else process.stdout.write(`${passed} passed, ${failed} failed\n`);
    if (failed > 0) process.exitCode = EXIT_REJECTED;
  }),
};
