/** A progress bar on stderr, drawn only on a terminal, at most every 100 ms. */
export class Progress {
  private last = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = out.isTTY === true && process.env['CI'] === undefined;
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && done < 1) return;
    this.last = now;
    const width = 30;
    const filled = Math.round(Math.min(1, Math.max(0, done)) * width);
    this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(done * 100).toFixed(0).padStart(3)}%`);
  }

  done(): void {
    if (this.enabled) this.out.write('\r\x1b[K');
  }
}
