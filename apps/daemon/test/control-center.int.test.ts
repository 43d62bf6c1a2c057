import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes, type ConfigResponse, type HistoryRead } from '@gov/api';
import type { HistoryRecord } from '@gov/policies';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser, launchChromium } from '../../../tools/test-support/browser.js';
import { dockerEngineStatus, removeContainers, startContainer } from '../../../tools/test-support/docker.js';
import { startGovd, type GovdProcess } from '../src/govd-harness.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Screenshots and measurements of this run (gitignored). */
const ARTIFACTS = resolve(here, '..', 'test-artifacts');
/** The recorded output of the host query, as `powershell.exe` prints it on Windows. */
const WINDOWS_HOST = readFileSync(resolve(here, '../../../packages/meminfo/fixtures/windows-host-script.stdout'), 'utf8');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const KIB = 1024;

const CONFIG = `# Control Center test: my own comment, kept by every save
[governor]
policy = "dynamic"   # the learner works on dynamic
check_interval_secs = 1

[docker]
# never pause these by hand either
deny = ["gov-cc-deny-*"]
`;

interface Seen {
  consoleErrors: string[];
  pageErrors: string[];
  foreignRequests: string[];
}

/** Runs axe-core in the page (through the DevTools protocol: the page's CSP stays as it is) and returns every violation. */
async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; nodes: string[] }>> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // This runs in the page: its globals, typed here by hand (the daemon's tests have no DOM types).
    const page = globalThis as unknown as { document: unknown; axe: { run: (context: unknown, options: object) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } };
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.map((node) => node.target.join(' ')) }));
  });
  return violations;
}

describeWithBrowser('the Control Center in Chromium, on the built govd', () => {
  const suffix = `${process.pid}`;
  const names = { web: `gov-cc-web-${suffix}`, never: `gov-cc-never-with-a-rather-long-name-${suffix}`, deny: `gov-cc-deny-${suffix}` };
  let govd: GovdProcess;
  let standIns: string;
  let page: Page;
  let closeBrowser: () => Promise<void>;
  const seen: Seen = { consoleErrors: [], pageErrors: [], foreignRequests: [] };
  const withDocker = dockerEngineStatus().available;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    if (withDocker) {
      startContainer({ name: names.web, command: ['sleep', '3600'] });
      startContainer({ name: names.never, labels: { 'gov.pause': 'never' }, command: ['sleep', '3600'] });
      startContainer({ name: names.deny, command: ['sleep', '3600'] });
    }
    // A WSL2 guest's view of its Windows host, through a stand-in powershell.exe on PATH.
    standIns = await mkdtemp(join(tmpdir(), 'gov-cc-stand-in-'));
    await writeFile(join(standIns, 'windows-host.stdout'), WINDOWS_HOST);
    // govd keeps one PowerShell up and asks it a line at a time: the answer, then the session's end line.
    await writeFile(join(standIns, 'powershell.exe'), `#!/bin/sh\nwhile IFS= read -r _; do cat '${join(standIns, 'windows-host.stdout')}'; printf 'gov-end\\r\\n'; done\n`, { mode: 0o755 });
    // Actions already in the history file, so the chart has something to mark from the start.
    const dir = await mkdtemp(join(tmpdir(), 'govd-cc-'));
    await mkdir(join(dir, 'state'), { recursive: true, mode: 0o700 });
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    const seeded: HistoryRecord[] = [
      { kind: 'reclaim', at: ago(40_000), policy: 'dynamic', code: 'host-below-target', reason: 'host 22% available, below the 25% target', method: 'drop_caches', targetBytes: null, freedBytes: 512 * KIB ** 2, durationMs: 180, dryRun: false, steps: [{ name: 'drop_caches', status: 'ok', durationMs: 180 }], advice: null },
      { kind: 'pause-idle-containers', at: ago(20_000), policy: 'dynamic', code: 'host-below-target', reason: 'idle for 30 min', paused: ['batch-1'], freedBytes: 96 * KIB ** 2, durationMs: 900, dryRun: false },
    ];
    await writeFile(join(dir, 'state', 'history.jsonl'), seeded.map((record) => `${JSON.stringify(record)}\n`).join(''), { mode: 0o600 });
    govd = await startGovd(CONFIG, { dir, args: ['--dry-run'], env: { PATH: `${standIns}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, GOV_ENVIRONMENT: 'wsl-guest' } });
    const browser = await launchChromium({ width: 1400, height: 900 });
    closeBrowser = browser.close;
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() === 'error') seen.consoleErrors.push(`${message.text()} @ ${message.location().url}`);
    });
    page.on('pageerror', (error) => seen.pageErrors.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(`${govd.base}/`) && !request.url().startsWith('data:')) seen.foreignRequests.push(request.url());
    });
  }, 120_000);

  afterAll(async () => {
    await closeBrowser?.();
    await govd?.cleanup();
    if (standIns) await rm(standIns, { recursive: true, force: true });
    if (withDocker) removeContainers(names.web, names.never, names.deny);
  });

  it('serves the page with its CSP and no framing, the assets cached for a year', async () => {
    const response = await fetch(`${govd.base}/`);
    const html = await response.text();
    expect([response.status, response.headers.get('content-type'), response.headers.get('x-frame-options'), response.headers.get('cache-control')]).toEqual([200, 'text/html; charset=utf-8', 'DENY', 'no-store']);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    // Nothing inline: the CSP allows only the page's own files.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son\w+=/i);
    const asset = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1] as string;
    const script = await fetch(`${govd.base}${asset}`);
    expect([script.status, script.headers.get('content-type'), script.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
  });

  it('shows where memory is: the WSL host, the VM\'s working set, Linux apps, page cache, the waste', async () => {
    await page.goto(`${govd.base}/`);
    await page.getByText('Windows host:').waitFor();
    const host = WINDOWS_HOST.match(/"TotalVisibleMemorySize":(\d+),"FreePhysicalMemory":(\d+)/) as RegExpMatchArray;
    const vmmem = Number(/"WorkingSet64":(\d+)/.exec(WINDOWS_HOST)?.[1]);
    await expect.poll(() => page.locator('#main section').first().innerText()).toContain(`Windows host: ${formatBytes(Number(host[1]) * KIB)}, ${formatBytes(Number(host[2]) * KIB)} available; the WSL VM's working set (vmmem) is ${formatBytes(vmmem)}.`);
    const legend = await page.locator('.legend').innerText();
    for (const label of ['Linux apps', 'Page cache', 'VM free, still held', 'Rest of Windows', 'Windows available']) expect(legend).toContain(label);
    expect(await page.locator('.waste').innerText()).toMatch(/^Waste \d+\.\d\d [KMG]iB/);
    expect(await page.locator('#main section').first().innerText()).toMatch(/Dry run\s+yes — nothing is changed/);
    const timing = await page.evaluate(() => {
      // The browser's performance API, typed here by hand (the daemon's tests have no DOM types).
      type Entry = { name: string; startTime: number; transferSize: number; encodedBodySize: number; decodedBodySize: number };
      const browser = performance as unknown as { getEntriesByName(name: string): Entry[]; getEntriesByType(type: string): Entry[] };
      return {
        firstContentfulPaintMs: browser.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        statusRenderedMs: browser.getEntriesByName('gov:status-rendered')[0]?.startTime ?? null,
        transfer: [...browser.getEntriesByType('navigation'), ...browser.getEntriesByType('resource').filter((entry) => entry.name.includes('/assets/'))].map((entry) => ({
          name: new URL(entry.name).pathname,
          transferBytes: entry.transferSize,
          encodedBytes: entry.encodedBodySize,
          decodedBytes: entry.decodedBodySize,
        })),
      };
    });
    expect(timing.statusRenderedMs).not.toBeNull();
    await writeFile(join(ARTIFACTS, 'control-center-timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
    process.stdout.write(`Control Center timing and transfer: ${JSON.stringify(timing)}\n`);
  });

  it('charts memory over time with every action marked and its freed bytes, values on hover and on the keyboard', async () => {
    await page.locator('.chart svg').waitFor();
    await expect.poll(() => page.locator('.chart .action').count()).toBeGreaterThanOrEqual(2);
    const labels = await page.locator('.chart .action text').allTextContents();
    expect(labels).toEqual(expect.arrayContaining([`−${formatBytes(512 * KIB ** 2)}`]));
    expect(await page.locator('ol.actions').innerText()).toContain('drop_caches');
    const svg = page.locator('.chart svg');
    const box = (await svg.boundingBox()) as { width: number; height: number };
    await svg.hover({ position: { x: box.width - 20, y: box.height / 2 } });
    await expect.poll(() => page.locator('.readout').innerText()).toMatch(/Linux used \d+\.\d\d [MG]iB · Page cache .* · Windows available/);
    await page.locator('.chart svg').focus();
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('.readout').innerText()).toContain('Linux available');
  });

  it('refuses a wrong token with a clear message, and takes the right one', async () => {
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    await expect.poll(() => page.locator('section:has(#act-title) [role=alert]').innerText()).toBe('govd refused the API token (401). Paste the token from the file "token" in govd\'s state directory.');
    expect(await page.locator('#token-help').innerText()).toBe('govd refused that token. Paste the token from the file "token" in its state directory.');
    await page.getByLabel('API token').fill(await govd.token());
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText('actions unlocked').waitFor();
  });

  it('previews a reclaim as a dry run, showing its plan, and records it when asked to reclaim', async () => {
    await page.getByLabel('Method').selectOption('drop_caches');
    await page.getByLabel('Level').selectOption('3');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const result = page.locator('.result').first();
    await expect.poll(() => result.innerText()).toContain('Plan (dry run: nothing was changed)');
    const steps = await result.locator('.steps li').allInnerTexts();
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((step) => /^drop_caches|^sync/.test(step))).toBe(true);
    await page.getByRole('button', { name: 'Reclaim now' }).click();
    await page.getByText('Reclaimed:').or(page.getByText('Plan (dry run: nothing was changed)')).first().waitFor();
    // Every API reclaim is in the history, the preview too; this govd runs dry, so both are dry runs.
    const apiReclaims = async () => (await govd.get<HistoryRead>('/api/history?limit=1000')).records.filter((record) => record.kind === 'reclaim' && record.code === 'api-request').map((record) => record.kind === 'reclaim' && [record.method, record.dryRun]);
    await expect.poll(apiReclaims).toEqual([
      ['drop_caches', true],
      ['drop_caches', true],
    ]);
    await expect.poll(() => page.locator('.chart .action').count()).toBeGreaterThanOrEqual(3);
  });

  it('records "this was slow / fine" feedback for the learner', async () => {
    await page.getByLabel('Note (optional)').fill('builds crawl');
    await page.getByRole('button', { name: 'This was slow' }).click();
    await page.getByText('Recorded: the machine was slow.').waitFor();
    const { records } = await govd.get<HistoryRead>('/api/history?limit=1000');
    expect(records.filter((record) => record.kind === 'feedback').map((record) => record.kind === 'feedback' && [record.feedback, record.note])).toEqual([['slow', 'builds crawl']]);
  });

  it('changes the policy through the form: the server\'s errors next to the field, then applied and the comments kept', async () => {
    await page.getByRole('radio', { name: /aggressive/ }).check();
    const target = page.getByLabel('Target reclaim (MiB)');
    await target.fill('0');
    await page.getByRole('button', { name: 'Save and apply' }).click();
    await expect.poll(() => page.locator('#cfg-governor-aggressive-target_reclaim_mb-error').innerText()).toBe('0 is below the minimum 1');
    expect(await target.getAttribute('aria-invalid')).toBe('true');
    expect(((await govd.get<ConfigResponse>('/api/config')).config.governor.policy)).toBe('dynamic');
    await target.fill('512');
    await page.getByRole('button', { name: 'Save and apply' }).click();
    await expect.poll(() => page.locator('#policy-title ~ form [role=status]').innerText()).toContain('Saved governor.policy, governor.aggressive.target_reclaim_mb: only those lines of');
    const applied = await govd.get<ConfigResponse>('/api/config');
    expect([applied.config.governor.policy, applied.config.governor.aggressive.target_reclaim_mb]).toEqual(['aggressive', 512]);
    const text = await readFile(govd.configPath, 'utf8');
    expect(text.startsWith('# Control Center test: my own comment, kept by every save\n[governor]\npolicy = "aggressive"   # the learner works on dynamic\n')).toBe(true);
    expect(text).toContain('# never pause these by hand either\ndeny = ["gov-cc-deny-*"]');
    await expect.poll(async () => (await govd.get<{ policy: string }>('/api/status')).policy).toBe('aggressive');
  });

  it('shows the real Docker engine\'s containers, gov.pause=never, and pauses under the same guards as the CLI', async (context) => {
    if (!withDocker) {
      if (process.env['GOV_REQUIRE_DOCKER'] === '1') throw new Error(dockerEngineStatus().reason);
      context.skip();
    }
    const row = (name: string) => page.locator('table.containers tbody tr', { has: page.getByText(name, { exact: true }) });
    await row(names.web).waitFor({ timeout: 30_000 });
    expect(await row(names.web).locator('td[data-label=State]').innerText()).toBe('running');
    expect(await row(names.web).locator('td[data-label=Memory]').innerText()).toMatch(/^\d+(\.\d\d)? [KM]?i?B/);
    expect(await row(names.never).innerText()).toContain('gov.pause=never');
    expect(await row(names.never).getByRole('button', { name: `Pause ${names.never}` }).isDisabled()).toBe(true);
    await row(names.web).getByRole('button', { name: `Pause ${names.web}` }).click();
    await expect.poll(() => page.locator('#containers-title ~ [role=status]').innerText()).toBe(`${names.web}: would be paused (dry run: nothing changed).`);
    await row(names.deny).getByRole('button', { name: `Pause ${names.deny}` }).click();
    await expect.poll(() => page.locator('#containers-title ~ [role=status]').innerText()).toBe(`${names.deny}: ${names.deny} is not paused: its name matches the deny pattern "gov-cc-deny-*"`);
  });

  it('has no serious or critical accessibility violation and no console error at 1400 px and 390 px, light and dark; screenshots', async () => {
    const results: Record<string, unknown> = {};
    for (const [width, scheme] of [
      [1400, 'light'],
      [390, 'light'],
      [390, 'dark'],
      [1400, 'dark'],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300);
      const violations = await axeViolations(page);
      results[`${width}-${scheme}`] = violations;
      expect([width, scheme, violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')]).toEqual([width, scheme, []]);
      // Nothing wider than the screen: the page never scrolls sideways.
      const overflow = await page.evaluate((screen) => {
        type Element = { tagName: string; className: unknown; getBoundingClientRect(): { right: number } };
        const { document } = globalThis as unknown as { document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): Element[] } };
        const wide = [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > screen + 1);
        return { scrollWidth: document.documentElement.scrollWidth, widest: wide.slice(-5).map((element) => `${element.tagName}.${String(element.className)}`) };
      }, width);
      expect([width, scheme, overflow]).toEqual([width, scheme, { scrollWidth: width, widest: [] }]);
      await page.screenshot({ path: join(ARTIFACTS, `control-center-${width}-${scheme}.png`), fullPage: true });
    }
    await writeFile(join(ARTIFACTS, 'control-center-axe.json'), `${JSON.stringify(results, null, 2)}\n`);
    // The only console errors are the browser's own lines for the answers this test provoked.
    const provoked = /^Failed to load resource: the server responded with a status of (401|400|409) .* @ .*\/api\/(reclaim|config|containers\/pause)$/;
    expect(seen.consoleErrors.filter((line) => !provoked.test(line))).toEqual([]);
    expect([seen.pageErrors, seen.foreignRequests]).toEqual([[], []]);
  });
});
