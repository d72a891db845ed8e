/** Stands in for node:fs and node:crypto in the browser build: reachable from the SecY's snapshot code, never called by the pages. */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available in a browser`);
};
export const readFileSync = unavailable('node:fs readFileSync');
export const createHash = unavailable('node:crypto createHash');
