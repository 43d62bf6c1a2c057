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

/** The base URL clients use to reach a govd listening on `listen`; a wildcard address is reached on loopback. */
export function baseUrl(listen: string): string {
  const { host, port } = parseListen(listen);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
