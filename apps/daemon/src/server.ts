import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseListen } from '@gov/api';
import type { Logger } from '@gov/policies';
import { createApiHandler, type DaemonApi } from './http-api.js';
import { allowedHostHeaders } from './listen.js';

/** How long and how much a client may take, so that a slow or flooding local client costs govd a bounded share. */
export interface ApiServerLimits {
  /** Time to send the request headers (slowloris); past it the answer is 408 and the connection closes. */
  headersTimeoutMs: number;
  /** Time to send the whole request, body included. */
  requestTimeoutMs: number;
  /** How often those deadlines are checked. */
  checkIntervalMs: number;
  /** Idle time before a kept-alive connection is closed. */
  keepAliveTimeoutMs: number;
  /** Connections served at once; further ones are closed as they arrive. */
  maxConnections: number;
  /** Bytes of request line and headers; more is answered 431. */
  maxHeaderBytes: number;
}

export const API_SERVER_LIMITS: ApiServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 128,
  maxHeaderBytes: 16 * 1024,
};

/** govd's API listening on `daemon.listen`; resolves once it listens (rejects with `EADDRINUSE` and the like). */
export async function serveApi(api: DaemonApi, options: { token: string; listen: string; logger: Logger; limits?: Partial<ApiServerLimits> }) {
  const limits = { ...API_SERVER_LIMITS, ...options.limits };
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
  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
  };
  const server: Server = createServer(serverOptions, (req, res) => {
    // Answered, or its connection gone (a pipelined request behind one that broke the connection never closes its response).
    const answered = new Promise<void>((resolve) => {
      const done = () => {
        res.off('close', done);
        req.socket.off('close', done);
        resolve();
      };
      res.once('close', done);
      req.socket.once('close', done);
    });
    inFlight.add(answered);
    void answered.then(() => inFlight.delete(answered));
    handle(req, res);
  });
  server.maxConnections = limits.maxConnections;
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
