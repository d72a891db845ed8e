/** A field-by-field explanation, shaped like Wireshark's packet tree, and its text rendering. */

export type Status = 'ok' | 'bad' | 'warn';

export interface ExplainNode {
  readonly label: string;
  readonly value?: string;
  /** What the field means, in words. */
  readonly note?: string;
  readonly status?: Status;
  /** Where the field lies in the frame, in octets. */
  readonly offset?: number;
  readonly length?: number;
  readonly children?: readonly ExplainNode[];
}

const ANSI = { bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m', reset: '\x1b[0m' };

export function renderTree(nodes: readonly ExplainNode[], color: boolean): string {
  const paint = (code: keyof typeof ANSI, text: string): string => (color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const mark = (s: Status | undefined): string =>
    s === 'ok' ? paint('green', '✓ ') : s === 'bad' ? paint('red', '✗ ') : s === 'warn' ? paint('yellow', '! ') : '';
  const lines: string[] = [];
  const walk = (list: readonly ExplainNode[], prefix: string, top: boolean): void => {
    list.forEach((n, i) => {
      const last = i === list.length - 1;
      const branch = top ? '' : last ? '└─ ' : '├─ ';
      const where = n.offset !== undefined ? paint('dim', ` [${n.offset}${n.length !== undefined ? `+${n.length}` : ''}]`) : '';
      const label = top ? paint('bold', n.label) : paint('cyan', n.label);
      const value = n.value !== undefined ? `: ${n.value}` : '';
      const note = n.note ? paint('dim', `  ${n.note}`) : '';
      lines.push(`${prefix}${branch}${mark(n.status)}${label}${value}${where}${note}`);
      if (n.children) walk(n.children, top ? prefix : prefix + (last ? '   ' : '│  '), false);
    });
  };
  walk(nodes, '', true);
  return lines.join('\n');
}
