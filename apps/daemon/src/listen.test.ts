import { describe, expect, it } from 'vitest';
import { allowedHostHeaders, isLoopback } from './listen.js';

describe('allowedHostHeaders', () => {
  it('names the loopback spellings of the port', () => {
    expect(allowedHostHeaders({ host: '127.0.0.1', port: 7878 })).toEqual(['127.0.0.1:7878', 'localhost:7878', '[::1]:7878']);
    expect(allowedHostHeaders({ host: '::1', port: 7878 })).toEqual(['[::1]:7878', 'localhost:7878', '127.0.0.1:7878']);
  });

  it('accepts any host on a routable address', () => {
    expect(allowedHostHeaders({ host: '0.0.0.0', port: 7878 })).toBeUndefined();
    expect(isLoopback('10.0.0.5')).toBe(false);
  });
});
