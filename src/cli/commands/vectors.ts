import type { Argv, CommandModule } from 'yargs';
import { backendNames, isBackendName, type BackendName } from '../../crypto/backend.js';
import { loadAnyVectorFile } from '../../conformance/files.js';
import { SHIPPED_VECTORS } from '../../conformance/shipped.js';
import { decodeVectors, tally, vectorResults, type VectorResult } from '../../conformance/vectors.js';
import { nativeEngine } from '../../crypto/native.js';
import { EXIT_REJECTED, guarded, UsageError, useColor } from '../output.js';

interface Args {
  files: string[];
  backend: string;
  json: boolean;
}

export const vectorsCommand: CommandModule<object, Args> = {
  command: 'vectors [files..]',
  describe: 'Run test vectors: MACsec frames both ways (IEEE 802.1AE Annex C) and MKA keys (IEEE 802.1X)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: [] as string[], describe: 'vector files in the shared JSON schema (default: the shipped vectors/)' })
      .option('backend', { type: 'string', default: 'noble', describe: `crypto backend: ${backendNames().join(', ')} or all` })
      .option('json', { type: 'boolean', default: false, describe: 'print the results as JSON' })
      .example('$0 vectors', 'the 32 Annex C frames on the default backend and the 39 MKA vectors')
      .example('$0 vectors --backend all', 'every vector on every backend')
      .example('$0 vectors lab-frames.json --backend node', 'frames captured elsewhere, with their SAK'),
  handler: guarded((args: Args) => {
    const backends: BackendName[] = args.backend === 'all' ? [...backendNames()] : isBackendName(args.backend) ? [args.backend] : [];
    if (backends.length === 0) throw new UsageError(`--backend: expected ${backendNames().join(', ')} or all, got ${JSON.stringify(args.backend)}`);
    // Default: the shipped vectors/*.json (IEEE 802.1AE Annex C), then vectors/mka/*.json (IEEE 802.1X MKA).
    const vectors = args.files.length > 0 ? args.files.flatMap((f) => loadAnyVectorFile(f)) : SHIPPED_VECTORS.flatMap((f) => decodeVectors(f.data, f.file));
    const results: VectorResult[] = [];
    const mkaResult: boolean[] = [];
    const color = useColor(process.stdout);
    const paint = (ok: boolean, text: string) => (color ? `\x1b[${ok ? 32 : 31}m${text}\x1b[0m` : text);
    // Which GCM engine "native" means here (intel-ipsec-mb or OpenSSL EVP).
    const engine = backends.includes('native') ? nativeEngine() : undefined;
    if (engine !== undefined && !args.json) process.stdout.write(`native backend: ${engine}\n`);
    for (const { vector: v, result: r } of vectorResults(vectors, backends)) {
      results.push(r);
      mkaResult.push(v.type === 'mka');
      if (args.json) continue;
      const word = r.status === 'pass' ? paint(true, 'PASS') : paint(false, r.status === 'fail' ? 'FAIL' : 'BAD ');
      process.stdout.write(`${word}  ${r.name}${v.type === 'mka' ? ' [mka]' : ` [${r.backend}]`}\n`);
      for (const p of r.problems) process.stdout.write(`      ${r.status === 'inconsistent' ? 'inconsistent vector: ' : ''}${p}\n`);
    }
    const { passed, failed } = tally(results);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(engine === undefined ? { passed, failed, results } : { passed, failed, nativeEngine: engine, results }, null, 2)}\n`);
    } else {
      const mka = results.filter((_, i) => mkaResult[i]);
      if (mka.length > 0 && mka.length < results.length) {
        const frames = tally(results.filter((_, i) => !mkaResult[i]));
        const keys = tally(mka);
        process.stdout.write(`MACsec frames (IEEE 802.1AE Annex C and others): ${frames.passed} passed, ${frames.failed} failed\n`);
        process.stdout.write(`MKA keys and MKPDUs (IEEE 802.1X): ${keys.passed} passed, ${keys.failed} failed\n`);
      }
      process.stdout.write(`${passed} passed, ${failed} failed\n`);
    }
    if (failed > 0) process.exitCode = EXIT_REJECTED;
  }),
};
