/**
 * `macsec teach`: serves the built teaching pages (dist/web) as static files. Read-only, GET and HEAD
 * only, and never a path outside the folder (no `..`, no symbolic link out of it).
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, sep } from 'node:path';
import { ConfigError } from '../util/errors.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file under `root` a request path names, or undefined when it is outside `root` or not a file. */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.split('/').includes('..')) return undefined;
  let file = join(root, path);
  if (path.endsWith('/')) file = join(file, 'index.html');
  if (!existsSync(file)) return undefined;
  const real = realpathSync(file);
  const base = realpathSync(root);
  if (real !== base && !real.startsWith(base + sep)) return undefined;
  const stat = statSync(real);
  if (stat.isDirectory()) {
    const index = join(real, 'index.html');
    return existsSync(index) ? index : undefined;
  }
  return stat.isFile() ? real : undefined;
}

/** Listens on host:port (0: a free port the system picks) and serves `root`; resolves once listening, with the URL. */
export async function serveStatic(root: string, host: string, port: number): Promise<{ server: Server; url: string }> {
  if (!existsSync(join(root, 'index.html'))) throw new ConfigError('dist/web', 'the built pages (npm install or npm run build builds them)', `no index.html in ${root}`);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveStatic(root, req.url ?? '/');
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shown}:${bound}/` };
}
