import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseListen } from '@gov/api';
import type { Logger } from '@gov/policies';
import { createApiHandler, type DaemonApi } from './http-api.js';
import { allowedHostHeaders } from './listen.js';

/** govd's API listening on `daemon.listen`; resolves once it listens (rejects with `EADDRINUSE` and the like). */
export async function serveApi(api: DaemonApi, options: { token: string; listen: string; logger: Logger }) {
  const listen = parseListen(options.listen);
  const allowedHosts = allowedHostHeaders(listen);
  let stopping = false;
  // Requests being answered: a stop lets them finish (an API reclaim is recorded, its client answered).
  const inFlight = new Set<Promise<void>>();
  const handle = createApiHandler(api, {
    token: options.token,
    ...(allowedHosts ? { allowedHosts } : {}),
    onError: (error, request) => options.logger.error({ err: error, ...request }, `HTTP ${request.method} ${request.path} failed: ${(error as Error).message}`),
    isStopping: () => stopping,
  });
  const server: Server = createServer((req, res) => {
    const answered = new Promise<void>((resolve) => res.once('close', resolve));
    inFlight.add(answered);
    void answered.then(() => inFlight.delete(answered));
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    /**
     * Stops listening, answers new requests 503, lets the requests being answered finish for at
     * most `drainMs`, then drops every connection. Resolves to how many requests were dropped.
     */
    async close(drainMs: number): Promise<{ dropped: number }> {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all([...inFlight]), new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)))]);
      clearTimeout(timer);
      const dropped = inFlight.size;
      server.closeAllConnections();
      await closed;
      return { dropped };
    },
  };
}
