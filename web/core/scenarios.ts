/** The built-in scenarios (examples/scenarios/*.json, what `macsec simulate --list` lists), as data, by name. */
const files = import.meta.glob<unknown>('../../examples/scenarios/*.json', { eager: true, import: 'default' });

export const BUILTIN_SCENARIOS: ReadonlyMap<string, unknown> = new Map(
  Object.entries(files)
    .map(([path, doc]): [string, unknown] => [path.replace(/^.*\/(.*)\.json$/, '$1'), doc])
    .sort(([x], [y]) => (x < y ? -1 : 1)),
);
