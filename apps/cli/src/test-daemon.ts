import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Writes `~/.config/gov/config.toml` under `home` for a govd on `port` with its files in `stateDir`. */
export async function writeDaemonConfig(home: string, stateDir: string, port: number): Promise<void> {
  await mkdir(join(home, '.config', 'gov'), { recursive: true });
  await writeFile(join(home, '.config', 'gov', 'config.toml'), `[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(stateDir)}\n`);
}

/** A port that refuses connections: bound, then closed. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}
