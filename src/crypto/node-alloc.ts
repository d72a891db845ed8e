/**
 * Node only: bursts allocate their output with Buffer.allocUnsafeSlow (unpooled, not zero-filled), which
 * the burst layout makes safe (burst.ts). Call once at start-up where Node runs: the CLI and each burst
 * worker do.
 */
import { setBurstAllocator } from './burst.js';

export function useNodeBurstAllocation(): void {
  setBurstAllocator((octets) => {
    const b = Buffer.allocUnsafeSlow(octets);
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  });
}
