import type { ListenAddress } from '@gov/api';

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
