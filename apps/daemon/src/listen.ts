/** `daemon.listen` split into what `server.listen` takes. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Splits `127.0.0.1:7878` or `[::1]:7878` (the config schema has validated the form). */
export function parseListen(listen: string): ListenAddress {
  const index = listen.lastIndexOf(':');
  const host = listen.slice(0, index);
  return { host: host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host, port: Number(listen.slice(index + 1)) };
}

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|::1|localhost)$/i;

/** Whether the address only answers this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * Host header values a loopback daemon answers; `undefined` (any) when it listens on a
 * routable address, where the operator has chosen to expose it.
 */
export function allowedHostHeaders(address: ListenAddress): string[] | undefined {
  if (!isLoopback(address.host)) return undefined;
  const named = address.host.includes(':') ? `[${address.host}]` : address.host;
  return [...new Set([`${named}:${address.port}`, `localhost:${address.port}`, `127.0.0.1:${address.port}`, `[::1]:${address.port}`])];
}

/** The base URL clients use to reach a daemon listening on `listen`. */
export function baseUrl(listen: string): string {
  const { host, port } = parseListen(listen);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
