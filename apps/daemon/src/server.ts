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
  const server: Server = createServer(
    createApiHandler(api, {
      token: options.token,
      ...(allowedHosts ? { allowedHosts } : {}),
      onError: (error, request) => options.logger.error({ err: error, ...request }, `HTTP ${request.method} ${request.path} failed: ${(error as Error).message}`),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: server.address() as AddressInfo,
    /** Stops listening and drops open connections. */
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
