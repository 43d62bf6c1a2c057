/** Whether a process with this pid runs (a zombie counts until it is reaped). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs, or 10 s have passed; returns the ones still running (none, when all went). */
export async function waitGone(pids: number[]): Promise<number[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const left = pids.filter(isRunning);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((done) => setTimeout(done, 50));
  }
}
