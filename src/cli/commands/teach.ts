import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { serveStatic } from '../../runs/teach-server.js';
import { packageRoot } from '../../util/paths.js';
import { guarded, UsageError } from '../output.js';

interface Args {
  port: number;
  host: string;
}

export const teachCommand: CommandModule<object, Args> = {
  command: 'teach',
  describe: 'Serve the teaching page (the frame lab) on this machine and print its URL',
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', default: 8802, describe: 'TCP port (0: a free port the system picks)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .example('$0 teach', 'serve on http://127.0.0.1:8802/'),
  handler: guarded(async (args: Args) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError(`--port: an integer 0-65535, got ${String(args.port)}`);
    const { url } = await serveStatic(join(packageRoot(), 'dist', 'web'), args.host, args.port);
    process.stdout.write(`macsec teach: the frame lab is at ${url}  (Ctrl-C stops it)\n`);
  }),
};
