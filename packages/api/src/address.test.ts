import { describe, expect, it } from 'vitest';
import { baseUrl, parseListen } from './address.js';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:7878', { host: '127.0.0.1', port: 7878 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:1', { host: 'localhost', port: 1 }],
    ['0.0.0.0:7878', { host: '0.0.0.0', port: 7878 }],
  ])('%s', (listen, address) => {
    expect(parseListen(listen)).toEqual(address);
  });
});

describe('baseUrl', () => {
  it.each([
    ['127.0.0.1:7878', 'http://127.0.0.1:7878'],
    ['0.0.0.0:80', 'http://127.0.0.1:80'],
    ['[::1]:7878', 'http://[::1]:7878'],
    ['[::]:7878', 'http://[::1]:7878'],
  ])('%s → %s', (listen, url) => {
    expect(baseUrl(listen)).toBe(url);
  });
});
