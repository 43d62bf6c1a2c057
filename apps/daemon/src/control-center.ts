import * as nodeFs from 'node:fs/promises';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ApiError } from '@gov/api';

/** Where the page's assets are served from: `/assets/<hashed name>`. */
export const ASSET_PREFIX = '/assets/';

/**
 * The page's policy: its own script and style only (no inline code, no eval), requests to its
 * own origin only, and no framing — the page holds the API token, so no other site may wrap it.
 */
export const CONTROL_CENTER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTROL_CENTER_CSP,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  // The page is small and names the hashed assets of this build: always ask again.
  'cache-control': 'no-store',
};

/** Hashed names never change content: a browser keeps them a year without asking. */
const ASSET_HEADERS = { 'cache-control': 'public, max-age=31536000, immutable' };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** One file as it is answered: its type, bytes (gzipped when the client takes it) and headers. */
export interface StaticReply {
  contentType: string;
  body: Buffer;
  headers: Record<string, string>;
}

interface StaticFile {
  contentType: string;
  raw: Buffer;
  gzip: Buffer;
  headers: Record<string, string>;
}

export interface ControlCenter {
  /** The page (`GET /`). */
  page(acceptsGzip: boolean): Promise<StaticReply>;
  /** One asset by its file name; `null` when this build has none of that name. */
  asset(name: string, acceptsGzip: boolean): Promise<StaticReply | null>;
}

function staticFile(name: string, raw: Buffer, headers: Record<string, string>): StaticFile {
  return { contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', raw, gzip: gzipSync(raw, { level: 9 }), headers };
}

function reply(file: StaticFile, acceptsGzip: boolean): StaticReply {
  const headers = { ...file.headers, vary: 'accept-encoding' };
  return acceptsGzip ? { contentType: file.contentType, body: file.gzip, headers: { ...headers, 'content-encoding': 'gzip' } } : { contentType: file.contentType, body: file.raw, headers };
}

/**
 * The Control Center's built files (`index.html` and `assets/` in `webRoot`, which the daemon's
 * build writes to `dist/web`), read and gzipped once at the first request and kept in memory:
 * some 30 KiB. A daemon built without them answers `GET /` with 503 saying so.
 */
export function createControlCenter(webRoot: string, options: { fs?: Pick<typeof nodeFs, 'readFile' | 'readdir'> } = {}): ControlCenter {
  const fs = options.fs ?? nodeFs;
  let loading: Promise<{ page: StaticFile; assets: Map<string, StaticFile> }> | null = null;

  async function readBuild() {
    let page: Buffer;
    let names: string[];
    try {
      page = await fs.readFile(join(webRoot, 'index.html'));
      names = await fs.readdir(join(webRoot, 'assets'));
    } catch (error) {
      throw new ApiError(503, 'GOV_HTTP_NO_CONTROL_CENTER', `the Control Center is not built: ${join(webRoot, 'index.html')} or its assets are missing (run \`npm run build\`)`, undefined, { cause: error });
    }
    const assets = new Map<string, StaticFile>();
    for (const name of names) assets.set(name, staticFile(name, await fs.readFile(join(webRoot, 'assets', name)), ASSET_HEADERS));
    return { page: staticFile('index.html', page, PAGE_HEADERS), assets };
  }

  const load = () => {
    loading ??= readBuild().catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };

  return {
    async page(acceptsGzip) {
      return reply((await load()).page, acceptsGzip);
    },
    async asset(name, acceptsGzip) {
      const file = (await load()).assets.get(name);
      return file ? reply(file, acceptsGzip) : null;
    },
  };
}
