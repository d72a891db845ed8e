/** Runs the built `macsec` command several at a time (the robustness tables spawn many). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, type Run } from '../support/cli.js';

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

export function macsecAsync(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs every argument list, `parallel` at a time; results in the same order. */
export async function macsecAll(list: readonly (readonly string[])[], parallel = 4): Promise<Run[]> {
  const out: Run[] = new Array(list.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      out[i] = await macsecAsync(list[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, list.length) }, worker));
  return out;
}
