/**
 * Browser tests share one Chromium (started by test/support/chromium-setup.ts). `pageRunner` bundles code
 * for the browser with esbuild and runs it in a fresh page. Without a Chromium a browser test says so and
 * fails under CI (CI set), and is skipped on a developer's machine.
 */
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, inject, type TestContext } from 'vitest';

/** Names Node gives a script that a browser does not: each is replaced so the bundle shows any use. */
export const NODE_GLOBALS = ['process', 'Buffer', 'global', '__dirname', '__filename', 'require', 'module', 'setImmediate', 'clearImmediate'];
const MARK = '__NODE_GLOBAL__';

const NODE_BUILTIN = /^node:|^(assert|buffer|child_process|crypto|events|fs|fs\/promises|module|os|path|process|stream|url|util|worker_threads|zlib)$/;

export interface BrowserBundle {
  readonly code: string;
  /** Each import of a Node module: the module and the file importing it. */
  readonly nodeImports: readonly string[];
  /** Each use of a Node global, with the bundled code around it. */
  readonly nodeGlobals: readonly string[];
}

/**
 * Bundles `entry` (a file, or `contents` resolved from `resolveDir`) for the browser: platform 'browser',
 * no Node polyfills. Node modules are left out and listed; Node globals are listed.
 */
export async function bundleForBrowser(entry: { file: string } | { contents: string; resolveDir: string }, options: { format?: 'iife' | 'esm'; globalName?: string } = {}): Promise<BrowserBundle> {
  const nodeImports: string[] = [];
  const catchNode: Plugin = {
    name: 'node-modules',
    setup(b) {
      b.onResolve({ filter: NODE_BUILTIN }, (args) => {
        nodeImports.push(`${args.path} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
  const define: Record<string, string> = {};
  for (const g of NODE_GLOBALS) {
    define[g] = `${MARK}${g}`;
    define[`globalThis.${g}`] = `${MARK}${g}`;
  }
  const result = await build({
    ...('file' in entry ? { entryPoints: [entry.file] } : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'js' } }),
    bundle: true,
    write: false,
    platform: 'browser',
    // iife: top-level names stay out of the page's globals (a `var name` would set window.name).
    format: options.format ?? 'iife',
    ...(options.globalName !== undefined ? { globalName: options.globalName } : {}),
    target: 'es2022',
    define,
    plugins: [catchNode],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const nodeGlobals = [...code.matchAll(new RegExp(`${MARK}(\\w+)`, 'g'))].map((m) => `${m[1]}: ...${code.slice(Math.max(0, m.index - 80), m.index + 40).replace(/\s+/g, ' ')}...`);
  return { code, nodeImports, nodeGlobals };
}

let shared: Promise<Browser> | undefined;

/**
 * The shared Chromium's endpoint, for a suite that drives its own pages (`chromium.connect`), or undefined
 * when there is none: then `what` fails under CI (CI set) and is skipped, with why, on a developer's machine.
 */
export function chromiumEndpoint(what: string): string | undefined {
  const endpoint = inject('chromium');
  if ('wsEndpoint' in endpoint) return endpoint.wsEndpoint;
  const why = `${what}: ${endpoint.missing}`;
  if (process.env['CI']) throw new Error(why);
  console.warn(`${why}: skipped`);
  return undefined;
}

/** The shared Chromium, or undefined after `ctx.skip()` (or a failure under CI) when there is none. */
export async function sharedBrowser(ctx: TestContext): Promise<Browser | undefined> {
  const endpoint = inject('chromium');
  if ('missing' in endpoint) {
    if (process.env['CI']) throw new Error(`browser test needs Chromium: ${endpoint.missing}`);
    console.warn(`skipping a browser test: ${endpoint.missing}`);
    ctx.skip();
    return undefined;
  }
  shared ??= chromium.connect(endpoint.wsEndpoint);
  return shared;
}

afterAll(async () => {
  if (shared !== undefined) await (await shared).close();
  shared = undefined;
});

/** Runs an IIFE bundle in a fresh page, then `body` there; returns what `body` returns, and page errors throw. */
export async function runInPage<T>(ctx: TestContext, bundle: string, body: () => T | Promise<T>): Promise<T | undefined> {
  const browser = await sharedBrowser(ctx);
  if (browser === undefined) return undefined;
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.addScriptTag({ content: bundle });
    const out = await page.evaluate(body);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    return out;
  } finally {
    await page.close();
  }
}
