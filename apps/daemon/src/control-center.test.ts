import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '@gov/api';
import { CONTROL_CENTER_CSP, createControlCenter } from './control-center.js';

let webRoot: string;
beforeEach(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'govd-web-'));
});
afterEach(async () => {
  await rm(webRoot, { recursive: true, force: true });
});

async function writeBuild() {
  await mkdir(join(webRoot, 'assets'));
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><script type="module" src="/assets/app-ABCD1234.js"></script>');
  await writeFile(join(webRoot, 'assets', 'app-ABCD1234.js'), 'console.log(1);'.repeat(50));
  await writeFile(join(webRoot, 'assets', 'app-ABCD1234.css'), 'body{margin:0}');
}

describe('createControlCenter', () => {
  it('serves the page with its security headers and never cached', async () => {
    await writeBuild();
    const page = await createControlCenter(webRoot).page(false);
    expect(page).toEqual({
      contentType: 'text/html; charset=utf-8',
      body: Buffer.from('<!doctype html><script type="module" src="/assets/app-ABCD1234.js"></script>'),
      headers: {
        'content-security-policy': CONTROL_CENTER_CSP,
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cache-control': 'no-store',
        vary: 'accept-encoding',
      },
    });
    expect(CONTROL_CENTER_CSP).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  });

  it('serves the hashed assets with their types and a year of caching, gzipped for a client that takes it', async () => {
    await writeBuild();
    const center = createControlCenter(webRoot);
    const script = await center.asset('app-ABCD1234.js', true);
    expect([script?.contentType, script?.headers, gunzipSync(script?.body ?? Buffer.alloc(0)).toString()]).toEqual([
      'text/javascript; charset=utf-8',
      { 'cache-control': 'public, max-age=31536000, immutable', vary: 'accept-encoding', 'content-encoding': 'gzip' },
      'console.log(1);'.repeat(50),
    ]);
    expect(script && script.body.length < 750).toBe(true);
    expect((await center.asset('app-ABCD1234.css', false))?.contentType).toBe('text/css; charset=utf-8');
    expect([await center.asset('app-0000.js', false), await center.asset('../index.html', false)]).toEqual([null, null]);
  });

  it('answers 503 naming what is missing when the page was not built, and serves it once it is', async () => {
    const center = createControlCenter(webRoot);
    await expect(center.page(false)).rejects.toEqual(new ApiError(503, 'GOV_HTTP_NO_CONTROL_CENTER', `the Control Center is not built: ${join(webRoot, 'index.html')} or its assets are missing (run \`npm run build\`)`));
    await writeBuild();
    expect((await center.page(false)).contentType).toBe('text/html; charset=utf-8');
  });
});
