/**
 * vitest globalSetup: one headless Chromium (Debian's, never a download) for every browser test, shared
 * through its WebSocket endpoint (test/support/browser.ts connects). Without a Chromium it provides why.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserServer } from 'playwright-core';
import type { TestProject } from 'vitest/node';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's endpoint, or why there is none. */
    chromium: { readonly wsEndpoint: string } | { readonly missing: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: BrowserServer | undefined;
  if (!existsSync(CHROMIUM)) {
    project.provide('chromium', { missing: `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)` });
  } else {
    try {
      server = await chromium.launchServer({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      });
      project.provide('chromium', { wsEndpoint: server.wsEndpoint() });
    } catch (e) {
      project.provide('chromium', { missing: `${CHROMIUM} does not start: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  return async () => {
    await server?.close();
  };
}
