import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithDocker, removeContainers, startContainer } from '../../../tools/test-support/docker.js';
import { assertCgroupV1Root, createKubepodsLab, MiB, type KubepodsLab } from '../../../tools/test-support/kubepods-host.js';
import { EAGER_DRY_RUN, freePort, startGovd, waitFor, type GovdProcess } from '../src/govd-harness.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RULES_DIR = join(REPO, 'deploy/prometheus');
const DASHBOARD = join(REPO, 'deploy/grafana/gov.json');
const INSTALL = 'install Debian\'s prometheus package (apt-get install prometheus), which ships prometheus and promtool';

/** Runs promtool with a fixed argv; its output whatever the exit code. */
function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: RULES_DIR, input, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw new Error(`promtool could not run (${run.error.message}): ${INSTALL}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the alert rules and the Prometheus config', () => {
  it('pass promtool check rules and check config, and the rule unit tests', () => {
    expect(promtool(['check', 'rules', 'alerts.yml'])).toEqual({ status: 0, output: 'Checking alerts.yml\n  SUCCESS: 8 rules found\n\n' });
    expect(promtool(['test', 'rules', 'alerts.test.yml'])).toEqual({ status: 0, output: 'Unit Testing:  alerts.test.yml\n  SUCCESS\n\n' });
    const config = promtool(['check', 'config', 'prometheus.yml']);
    expect([config.status, config.output.includes('SUCCESS: prometheus.yml is valid prometheus config file syntax'), config.output.includes('WARNING')]).toEqual([0, true, false]);
  });
});

interface DashboardTarget {
  panel: string;
  expr: string;
}

/** Every PromQL of the dashboard: each panel's targets and the annotation queries. */
async function dashboardQueries(): Promise<DashboardTarget[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
    panels: { title: string; type: string; targets?: { expr: string }[] }[];
    annotations: { list: { name: string; expr?: string }[] };
  };
  const targets = dashboard.panels.filter((panel) => panel.type !== 'row').flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
  const annotations = dashboard.annotations.list.flatMap((annotation) => (annotation.expr ? [{ panel: `annotation ${annotation.name}`, expr: annotation.expr }] : []));
  return [...targets, ...annotations];
}

/** A dashboard query as Grafana sends it: all instances, and a rate window of a few scrapes. */
function expand(expr: string): string {
  return expr.replaceAll('$__rate_interval', '20s').replaceAll('$instance', '.+');
}

interface QueryAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { result: unknown[] };
}

describeWithDocker('a real Prometheus scraping a real dry-run govd', () => {
  const container = `govd-prometheus-${process.pid}`;
  let govd: GovdProcess | undefined;
  let lab: KubepodsLab | undefined;
  let prometheus: ChildProcess | undefined;
  let dir: string | undefined;
  let base = '';

  beforeAll(async () => {
    assertCgroupV1Root();
    // A container and a pod for the per-container and per-pod panels.
    startContainer({ name: container, command: ['sleep', '3600'] });
    lab = await createKubepodsLab('cgroupfs');
    const pod = await lab.addPod('burstable', 'shop', 'web-0');
    await pod.fillPageCache(16 * MiB);
    pod.start('idle');
    // Dry-run reclaims on every tick, so the action panels have data.
    govd = await startGovd(`${EAGER_DRY_RUN}\n[kubernetes]\npod_logs_dir = ${JSON.stringify(lab.podLogsDir)}\n`, { args: ['--dry-run'] });
    dir = await mkdtemp(join(tmpdir(), 'gov-prometheus-'));
    const port = await freePort();
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - ${JSON.stringify(join(RULES_DIR, 'alerts.yml'))}\nscrape_configs:\n  - job_name: govd\n    static_configs:\n      - targets: ['${new URL(govd.base).host}']\n`,
    );
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    prometheus.stderr?.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
    const exited = new Promise((_, reject) => {
      prometheus?.once('exit', (code) => reject(new Error(`prometheus exited ${code}: ${log}`)));
      prometheus?.once('error', (error) => reject(new Error(`prometheus could not start (${error.message}): ${INSTALL}`)));
    });
    base = `http://127.0.0.1:${port}`;
    await Promise.race([waitFor('prometheus to be ready', async () => (await fetch(`${base}/-/ready`)).ok, 60_000), exited]);
  }, 180_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((done) => prometheus?.once('exit', done));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await govd?.cleanup();
    await lab?.cleanup();
    removeContainers(container);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function query(expr: string): Promise<QueryAnswer> {
    const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await response.json()) as QueryAnswer;
  }

  it('govd\'s own /metrics passes promtool check metrics', async () => {
    const text = await (govd as GovdProcess).get<string>('/metrics');
    expect(promtool(['check', 'metrics'], text)).toEqual({ status: 0, output: '' });
  });

  it('every dashboard query parses and returns data', async () => {
    const queries = await dashboardQueries();
    expect(queries.length).toBeGreaterThanOrEqual(28);
    // A query that does not parse never will: every one must be accepted at once.
    for (const target of queries) {
      const answer = await query(expand(target.expr));
      expect({ panel: target.panel, status: answer.status, error: answer.error }).toEqual({ panel: target.panel, status: 'success', error: undefined });
    }
    let missing: DashboardTarget[] = queries;
    await waitFor(
      'every dashboard query to return data',
      async () => {
        const still: DashboardTarget[] = [];
        for (const target of missing) if (((await query(expand(target.expr))).data?.result.length ?? 0) === 0) still.push(target);
        missing = still;
        return missing.length === 0;
      },
      90_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; without data: ${missing.map((target) => `"${target.panel}": ${expand(target.expr)}`).join('; ')}`);
    });
    // The dashboard's instance variable lists govd's instances.
    const instances = await query('count by (instance) (gov_build_info)');
    expect(instances.data?.result).toHaveLength(1);
  });

  it('loads the alert rules and evaluates each without an error', async () => {
    const rules = await waitFor('the rules to be evaluated', async () => {
      const answer = (await (await fetch(`${base}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } };
      const group = answer.data.groups.find((candidate) => candidate.name === 'gov');
      return group && group.rules.every((rule) => rule.health !== 'unknown') ? group.rules : null;
    });
    expect(rules.map((rule) => [rule.name, rule.health, rule.lastError ?? ''])).toEqual(
      ['GovdDown', 'GovdLoopStale', 'GovHostAvailableBelowTarget', 'GovReclaimsFailing', 'GovRefaultStormAfterActions', 'GovBackingOff', 'GovHistoryWritesFailing', 'GovSourceDegraded'].map((name) => [name, 'ok', '']),
    );
  });
});
