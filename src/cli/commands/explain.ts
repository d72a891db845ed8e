import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { isBackendName } from '../../crypto/backend.js';
import { keyResolver } from '../../config/keys.js';
import { loadSaFile } from '../../config/sa-file.js';
import { explainFrame } from '../../explain/explain.js';
import { renderTree } from '../../explain/tree.js';
import { fromHex } from '../../util/hex.js';
import { guarded, UsageError, useColor } from '../output.js';

interface Args {
  hex?: string;
  file?: string;
  sa?: string;
  backend: string;
  json: boolean;
}

/** A frame from a file: hex text (spaces, colons and newlines allowed) or the raw octets. */
function readFrameFile(path: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new UsageError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const text = bytes.toString('latin1').trim();
  return /^[0-9a-fA-F:\s-]+$/.test(text) ? fromHex(text, path) : new Uint8Array(bytes);
}

export const explainCommand: CommandModule<object, Args> = {
  command: 'explain [hex]',
  describe: 'Explain a frame field by field (TCI bits, SL, PN, SCI, secure data, ICV), validating it with --sa',
  builder: (y: Argv) =>
    y
      .positional('hex', { type: 'string', describe: 'the frame in hex (DA first, no FCS)' })
      .option('file', { type: 'string', describe: 'read the frame from a file (hex text or raw octets)' })
      .option('sa', { type: 'string', describe: 'SA file (JSON) with the key: check the ICV and show the user data' })
      .option('backend', { type: 'string', default: 'noble', describe: 'crypto backend for --sa' })
      .option('json', { type: 'boolean', default: false, describe: 'print the explanation as JSON' })
      .example('$0 explain d609b1f056637a0d46df998d88e52c2a…', 'a frame given in hex')
      .example('$0 explain --file frame.hex --sa examples/sa.json', 'validate with a known SAK') as Argv<Args>,
  handler: guarded((args: Args) => {
    if ((args.hex === undefined) === (args.file === undefined)) throw new UsageError('explain: give the frame as HEX or with --file, not both');
    if (!isBackendName(args.backend)) throw new UsageError(`--backend: unknown backend ${JSON.stringify(args.backend)}`);
    const frame = args.file !== undefined ? readFrameFile(args.file) : fromHex(args.hex ?? '', 'frame');
    const sa = args.sa !== undefined ? loadSaFile(args.sa) : undefined;
    const tree = explainFrame(frame, sa ? { keys: keyResolver(sa, args.backend), xpn: sa.suite.xpn } : {});
    process.stdout.write(args.json ? `${JSON.stringify(tree, null, 2)}\n` : `${renderTree(tree, useColor(process.stdout))}\n`);
  }),
};
