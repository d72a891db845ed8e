/**
 * Stands in for node:fs, node:path and node:url in the browser build: reachable from the SecY's
 * snapshot code and the scenario file loader, never called by the pages.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in a browser`);
};
export const readFileSync = unavailable('node:fs readFileSync');
export const readdirSync = unavailable('node:fs readdirSync');
export const existsSync = unavailable('node:fs existsSync');
export const basename = unavailable('node:path basename');
export const dirname = unavailable('node:path dirname');
export const join = unavailable('node:path join');
export const fileURLToPath = unavailable('node:url fileURLToPath');
