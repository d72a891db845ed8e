/**
 * A watchdog on the harness's heartbeat (slot 0: frames done, written with Atomics by the worker). A frame
 * that never returns cannot report itself, so another thread must notice that the count stopped moving.
 */
export function watchHeartbeat(heartbeat: Int32Array, hangMs: number, onHang: (frame: number) => void, pollMs = 1000): () => void {
  let last = Atomics.load(heartbeat, 0);
  let lastChange = Date.now();
  const timer = setInterval(() => {
    const done = Atomics.load(heartbeat, 0);
    if (done !== last) {
      last = done;
      lastChange = Date.now();
      return;
    }
    if (Date.now() - lastChange < hangMs) return;
    clearInterval(timer);
    onHang(done);
  }, pollMs);
  return () => clearInterval(timer);
}
