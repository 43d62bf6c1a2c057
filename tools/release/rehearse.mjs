// The release, rehearsed for real: a private registry on loopback (verdaccio 6.8.0, which proxies
// the public registry for third-party packages but never for @gov/*), `changeset version` and the
// project's own release command (`npm run release`) on a throwaway copy of this checkout, then —
// outside any repository — what a user does: `npm i -g @gov/cli @gov/daemon` into a clean prefix,
// `gov` and `govd` on PATH, `gov status --json` reading this machine, `govd --dry-run` answering
// on its port, and a clean ESM project importing `@gov/meminfo`. Prints install size and time and
// the start-up ratio of gov. Run: npm run test:release (CI runs it after npm test).
//
//   KEEP=1   keep the scratch directory (its path is printed) and leave nothing running
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const registryTool = fileURLToPath(new URL('./registry/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gov-release-'));
const started = Date.now();
const timings = [];
const children = [];
let registryOutput = '';

function log(text) {
  process.stdout.write(`rehearse: ${text}\n`);
}

async function step(name, work) {
  const at = Date.now();
  log(`${name}…`);
  const result = await work();
  timings.push([name, Date.now() - at]);
  return result;
}

/** Runs a program to completion; throws with its output when it fails. */
function run(file, args, options = {}) {
  const result = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status ?? result.signal} in ${options.cwd ?? process.cwd()}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

async function waitFor(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

/** `fetch`, tried again when a kept-alive connection the server has since closed fails (EPIPE, ECONNRESET). */
async function request(url, init) {
  try {
    return await globalThis.fetch(url, init);
  } catch {
    return globalThis.fetch(url, init);
  }
}

function duBytes(path) {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += duBytes(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

const npm = 'npm';
// npm as a user outside the repository runs it: this registry, a cache of its own, no provenance.
const env = (registry, extra = {}) => {
  const clean = { ...process.env };
  for (const key of Object.keys(clean)) if (/^npm_/i.test(key)) delete clean[key];
  // Lower case: changeset publish reads npm_config_registry itself (and passes it to npm publish).
  return { ...clean, npm_config_userconfig: join(scratch, 'npmrc'), npm_config_registry: registry, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', NX_DAEMON: 'false', ...extra };
};

try {
  // 1. The registry: verdaccio from its own locked install (not in gov's dependency tree).
  const registry = await step('start verdaccio 6.8.0 on loopback', async () => {
    const bin = join(registryTool, 'node_modules', '.bin', 'verdaccio');
    if (!existsSync(bin)) run(npm, ['ci', '--no-audit', '--no-fund'], { cwd: registryTool });
    const port = await freePort();
    const dir = join(scratch, 'registry');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'config.yaml'),
      [
        `storage: ${join(dir, 'storage')}`,
        'auth:',
        '  htpasswd:',
        `    file: ${join(dir, 'htpasswd')}`,
        'uplinks:',
        '  npmjs:',
        '    url: https://registry.npmjs.org/',
        'packages:',
        // Ours come from this registry only: never from the public one, whatever is there.
        "  '@gov/*':",
        '    access: $all',
        '    publish: $authenticated',
        "  '**':",
        '    access: $all',
        '    publish: $authenticated',
        '    proxy: npmjs',
        'log: { type: stdout, format: pretty, level: warn }',
        '',
      ].join('\n'),
    );
    const child = spawn(bin, ['--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    child.stdout.on('data', (chunk) => (registryOutput += chunk));
    child.stderr.on('data', (chunk) => (registryOutput += chunk));
    child.once('exit', (code, signal) => (registryOutput += `\n(verdaccio exited: ${code ?? signal})\n`));
    const url = `http://127.0.0.1:${port}/`;
    await waitFor(`verdaccio at ${url}\n${registryOutput}`, async () => (await request(`${url}-/ping`)).ok);
    const user = await request(`${url}-/user/org.couchdb.user:rehearsal`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'rehearsal', password: 'rehearsal-only-password' }) });
    const { token } = await user.json();
    assert.ok(token, 'verdaccio gave no token');
    writeFileSync(join(scratch, 'npmrc'), `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return url;
  });

  // 2. A throwaway copy of this checkout (what is committed or would be), as CI clones it.
  const copy = join(scratch, 'repo');
  await step('copy the checkout and npm ci', async () => {
    const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo }).split('\0').filter(Boolean);
    for (const file of files) {
      const from = join(repo, file);
      if (!existsSync(from)) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(from, join(copy, file));
    }
    run('git', ['init', '-q'], { cwd: copy });
    run('git', ['-c', 'user.name=rehearsal', '-c', 'user.email=rehearsal@localhost', 'add', '-A'], { cwd: copy });
    run('git', ['-c', 'user.name=rehearsal', '-c', 'user.email=rehearsal@localhost', 'commit', '-qm', 'rehearsal'], { cwd: copy });
    // The lockfile names the public registry; the copy installs as a clone does.
    run(npm, ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: copy });
  });

  const manifests = () =>
    ['packages', 'apps'].flatMap((parent) => readdirSync(join(copy, parent)).map((name) => JSON.parse(readFileSync(join(copy, parent, name, 'package.json'), 'utf8'))));

  // 3. changeset version: every package gets the version its changesets say (never committed).
  const versions = await step('changeset version', async () => {
    run('npx', ['changeset', 'version'], { cwd: copy, env: env(registry) });
    const packages = manifests();
    assert.equal(packages.length, 10, 'ten packages');
    for (const pkg of packages) assert.notEqual(pkg.version, '0.0.0', `${pkg.name} was not versioned`);
    assert.deepEqual(readdirSync(join(copy, '.changeset')).filter((name) => name.endsWith('.md') && name !== 'README.md'), [], 'every changeset consumed');
    return Object.fromEntries(packages.map((pkg) => [pkg.name, pkg.version]));
  });
  log(`versions: ${Object.entries(versions).map(([name, version]) => `${name}@${version}`).join(' ')}`);

  // 4. The project's own release command, against the private registry.
  await step('npm run release (build + changeset publish)', async () => {
    run(npm, ['run', 'release'], { cwd: copy, env: env(registry), stdio: ['ignore', 'pipe', 'pipe'] });
  });

  await step('check every published tarball', async () => {
    for (const [name, version] of Object.entries(versions)) {
      const meta = await (await request(`${registry}${name.replace('/', '%2f')}`)).json();
      assert.ok(meta.versions?.[version], `${name}@${version} is not on the registry`);
      const tarball = join(scratch, `${name.replace('/', '-')}.tgz`);
      // The registry names its tarballs by the host it was asked for; fetch them where it listens.
      const { pathname } = new URL(meta.versions[version].dist.tarball);
      const response = await request(new URL(pathname, registry));
      assert.ok(response.ok, `${name}@${version}: GET ${pathname} answered ${response.status}`);
      writeFileSync(tarball, Buffer.from(await response.arrayBuffer()));
      const entries = run('tar', ['-tzf', tarball]).split('\n');
      for (const file of ['package/LICENSE', 'package/README.md', 'package/package.json']) assert.ok(entries.includes(file), `${name}@${version} has no ${file}`);
      assert.equal(meta.versions[version].license, 'MIT');
    }
  });

  // 5. In the repository after its set-up, npx runs the local builds, never the registry's.
  await step('npx gov / npx govd in the repository run the local build', async () => {
    const offline = env('http://127.0.0.1:9/');
    assert.equal(run('npx', ['gov', '--version'], { cwd: copy, env: offline }).trim(), versions['@gov/cli']);
    assert.equal(run('npx', ['govd', '--version'], { cwd: copy, env: offline }).trim(), versions['@gov/daemon']);
  });

  // 6. What a user does, outside any repository.
  const prefix = join(scratch, 'global');
  const outside = join(scratch, 'outside');
  mkdirSync(outside);
  const install = await step('npm i -g @gov/cli @gov/daemon (clean prefix, empty cache)', async () => {
    const at = Date.now();
    run(npm, ['install', '-g', '--prefix', prefix, '@gov/cli', '@gov/daemon'], { cwd: outside, env: env(registry, { npm_config_cache: join(scratch, 'cache-install') }) });
    const ms = Date.now() - at;
    const modules = join(prefix, 'lib', 'node_modules');
    let packages = 0;
    const count = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name === '.bin') continue;
        if (entry.name.startsWith('@')) count(join(dir, entry.name));
        else {
          packages += 1;
          if (existsSync(join(dir, entry.name, 'node_modules'))) count(join(dir, entry.name, 'node_modules'));
        }
      }
    };
    count(modules);
    return { ms, bytes: duBytes(modules), packages };
  });

  const userEnv = { ...env(registry), HOME: join(scratch, 'home'), PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(delimiter) };
  mkdirSync(userEnv.HOME);
  await step('gov and govd on PATH, gov status --json reads this machine', async () => {
    assert.equal(run('sh', ['-c', 'command -v gov'], { env: userEnv }).trim(), join(prefix, 'bin', 'gov'));
    assert.equal(run('gov', ['--version'], { env: userEnv, cwd: outside }).trim(), versions['@gov/cli']);
    assert.equal(run('govd', ['--version'], { env: userEnv, cwd: outside }).trim(), versions['@gov/daemon']);
    const status = JSON.parse(run('gov', ['status', '--json'], { env: userEnv, cwd: outside }));
    const memTotal = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024;
    assert.equal(status.linux.total, memTotal);
    assert.ok(['linux', 'wsl-guest'].includes(status.environment));
    assert.ok(run('gov', ['help', 'docker', 'ls'], { env: userEnv }).includes('--sample DURATION'));
  });

  await step('govd --dry-run answers on its port; the installed gov sees it', async () => {
    const port = await freePort();
    const config = join(scratch, 'govd.toml');
    writeFileSync(config, `[daemon]\nlisten = "127.0.0.1:${port}"\nstate_dir = ${JSON.stringify(join(scratch, 'govd-state'))}\n`);
    const child = spawn('govd', ['--dry-run', '--config', config], { env: userEnv, cwd: outside, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
    const status = await waitFor(`govd on port ${port}\n${output}`, async () => (await request(`http://127.0.0.1:${port}/api/status`)).json());
    assert.equal(status.version, versions['@gov/daemon']);
    assert.equal(status.dryRun, true);
    assert.equal(status.capabilities.reclaim, 'dry-run');
    const seen = JSON.parse(run('gov', ['status', '--json'], { env: { ...userEnv, GOV_CONFIG: config }, cwd: outside }));
    assert.equal(seen.govd.running, true);
    assert.equal(seen.govd.url, `http://127.0.0.1:${port}`);
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
  });

  await step('a clean ESM project: npm i @gov/meminfo, import it', async () => {
    const project = join(scratch, 'esm-project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'esm-project', private: true, type: 'module' }));
    run(npm, ['install', '@gov/meminfo'], { cwd: project, env: env(registry) });
    writeFileSync(join(project, 'index.js'), "import { readSnapshot } from '@gov/meminfo';\nconst snapshot = await readSnapshot();\nconsole.log(JSON.stringify({ total: snapshot.linux?.total, environment: snapshot.environment }));\n");
    const { total } = JSON.parse(run('node', ['index.js'], { cwd: project, env: userEnv }));
    assert.equal(total, Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) * 1024);
    assert.ok(existsSync(join(project, 'node_modules', '@gov', 'meminfo', 'LICENSE')));
  });

  const bench = await step('gov --version start-up against node -e 0', async () => run(process.execPath, [join(repo, 'tools', 'bench', 'cli', 'startup.mjs')], { env: { ...userEnv, GOV: join(prefix, 'bin', 'gov') } }));

  const mib = (bytes) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  log('passed');
  process.stdout.write(
    [
      '',
      `install: npm i -g @gov/cli @gov/daemon took ${(install.ms / 1000).toFixed(1)} s (empty cache, through the loopback registry), ${mib(install.bytes)} in ${install.packages} packages`,
      ...bench.trimEnd().split('\n').map((line) => `start-up: ${line}`),
      ...timings.map(([name, ms]) => `step: ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`),
      `total: ${((Date.now() - started) / 1000).toFixed(1)} s`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(`rehearse: FAILED: ${error.stack ?? error}${error.cause ? `\ncause: ${error.cause.stack ?? error.cause}` : ''}\nverdaccio said:\n${registryOutput}\n`);
  process.exitCode = 1;
} finally {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  if (process.env.KEEP === '1') log(`kept ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
