import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { describe, it } from 'vitest';

/** Debian's Chromium (`apt-get install chromium`); `$GOV_CHROMIUM` names another. */
export const CHROMIUM = process.env['GOV_CHROMIUM'] ?? '/usr/bin/chromium';

/** Flags for a headless Chromium that asks nothing of the network but the page under test. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const HOW_TO = 'install it with `apt-get install -y chromium` (GOV_REQUIRE_BROWSER=1 makes its absence a failure)';

/**
 * `describe` for tests that drive a real browser. Without Chromium they are skipped with one
 * visible line saying why, unless `GOV_REQUIRE_BROWSER=1`, where a missing browser fails.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
  } else if (process.env['GOV_REQUIRE_BROWSER'] === '1') {
    describe(name, () => {
      it('needs Chromium (GOV_REQUIRE_BROWSER=1)', () => {
        throw new Error(`${CHROMIUM} is missing; ${HOW_TO}`);
      });
    });
  } else {
    process.stderr.write(`skipping "${name}": ${CHROMIUM} is missing; ${HOW_TO}\n`);
    describe.skip(name, body);
  }
}

/** Chromium on a fresh profile directory (removed by `close`), through playwright-core. */
export async function launchChromium(options: { width: number; height: number }): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'gov-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // launchPersistentContext passes --user-data-dir itself: a profile nobody used before.
    args: CHROMIUM_ARGS,
    viewport: { width: options.width, height: options.height },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
