// PowerShell starts per hour of govd ticks in a WSL guest: govd's source (one long-lived helper)
// against one `powershell.exe` run per reading (what govd did before, and what a one-shot
// readSnapshot() still does), both through the same stand-in powershell.exe on PATH that logs
// every start and answers with the real query's recorded output. Run: npm run bench:wsl-helper
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../../packages/meminfo/dist/index.js', import.meta.url));
if (!existsSync(dist)) {
  process.stderr.write(`${dist} is missing: build it first with "npx nx run @gov/meminfo:build"\n`);
  process.exit(1);
}
const { createSnapshotSource, readSnapshot } = await import(dist);
const { createExec } = await import(fileURLToPath(new URL('../../../packages/io/dist/index.js', import.meta.url)));

const TICK_S = Number(process.env.TICK_SECS ?? 30);
const TICKS = Math.round(3600 / TICK_S);
const fixture = (name) => fileURLToPath(new URL(`../../../packages/meminfo/fixtures/${name}`, import.meta.url));

const dir = await mkdtemp(join(tmpdir(), 'gov-wsl-helper-bench-'));
try {
  const proc = join(dir, 'proc');
  await mkdir(join(proc, 'pressure'), { recursive: true });
  for (const [name, file] of [
    ['wsl2-5.15.167.4-microsoft-standard-WSL2.meminfo', 'meminfo'],
    ['linux-6.18.pressure', 'pressure/memory'],
    ['linux-6.18.vmstat', 'vmstat'],
    ['linux-6.18.stat', 'stat'],
  ]) {
    await copyFile(fixture(name), join(proc, file));
  }
  const bin = join(dir, 'bin');
  await mkdir(bin);
  // Answers every line it reads (the long-lived session), or at once when stdin is closed (a one-shot run).
  const answer = `cat '${fixture('windows-host-script.stdout')}'`;
  await writeFile(join(bin, 'powershell.exe'), `#!/bin/sh\necho start >> '${dir}/starts'\nif read -r cue; then ${answer}; echo gov-end; while read -r cue; do ${answer}; echo gov-end; done; else ${answer}; fi\n`);
  await chmod(join(bin, 'powershell.exe'), 0o755);
  const env = { PATH: `${bin}:/usr/bin:/bin` };
  const starts = () => (existsSync(join(dir, 'starts')) ? readFileSync(join(dir, 'starts'), 'utf8').trim().split('\n').length : 0);

  const rows = [];
  const run = async (name, read) => {
    const before = starts();
    const started = performance.now();
    for (let tick = 0; tick < TICKS; tick += 1) {
      const snapshot = await read();
      if (snapshot.host === null) throw new Error(`${name}: the host was not read: ${JSON.stringify(snapshot.degraded)}`);
    }
    rows.push({ name, starts: starts() - before, msPerRead: (performance.now() - started) / TICKS });
  };
  const source = createSnapshotSource({ environment: 'wsl-guest', procRoot: proc, hostSession: { env } });
  await run('govd source: one long-lived powershell.exe', () => source.readSnapshot());
  await source.close();
  const exec = createExec({ env });
  await run('one powershell.exe per reading (readSnapshot)', () => readSnapshot({ environment: 'wsl-guest', procRoot: proc, exec }));

  process.stdout.write(`WSL host helper benchmark · Node ${process.version} · ${TICKS} readings = one hour of ${TICK_S} s ticks · stand-in powershell.exe\n\n`);
  for (const row of rows) process.stdout.write(`${row.name.padEnd(48)} ${String(row.starts).padStart(4)} starts/hour  ${row.msPerRead.toFixed(2)} ms per reading\n`);
  const [session, perReading] = rows;
  process.stdout.write(`\nstarts per hour, govd source: ${session.starts} (target ≤ 1: ${session.starts <= 1 ? 'met' : 'MISSED'}); one per reading: ${perReading.starts}, ${(perReading.starts / Math.max(session.starts, 1)).toFixed(0)}× as many\n`);
  process.stdout.write('(the stand-in starts in milliseconds; a real powershell.exe start through WSL interop costs far more: it was the costliest thing gov did per tick)\n');
} finally {
  await rm(dir, { recursive: true, force: true });
}
