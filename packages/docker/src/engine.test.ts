import { describe, expect, it } from 'vitest';
import { connectDocker } from './client.js';
import { dockerOptionsFromHost, engineContainerFromInspect, type DockerEngine } from './engine.js';
import { DockerError, toDockerError } from './errors.js';

const ID = '09464602a53f5b842f0d511d537c7257defb93bf962e916ec55d000aaf015f85';

describe('dockerOptionsFromHost', () => {
  it.each([
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock' }],
    ['unix://', { socketPath: '/var/run/docker.sock' }],
    ['npipe:////./pipe/docker_engine', { socketPath: '//./pipe/docker_engine' }],
    ['tcp://10.0.0.5:2375', { protocol: 'http', host: '10.0.0.5', port: '2375' }],
    ['tcp://docker.example:2376', { protocol: 'https', host: 'docker.example', port: '2376' }],
    ['10.0.0.5:2375', { protocol: 'http', host: '10.0.0.5', port: '2375' }],
    ['ssh://me@box', { protocol: 'ssh', host: 'box', port: 22, username: 'me' }],
  ])('%s', (host, options) => {
    expect(dockerOptionsFromHost(host)).toEqual(options);
  });

  it('refuses an address it cannot use', () => {
    expect(() => dockerOptionsFromHost('ftp://box')).toThrow('DOCKER_HOST "ftp://box" has an unknown scheme ftp:; use unix://, tcp://, npipe:// or ssh://');
    expect(() => dockerOptionsFromHost('tcp://[::1')).toThrow(expect.objectContaining({ code: 'GOV_DOCKER_INVALID_OPTION' }));
  });
});

it('engineContainerFromInspect keeps what sensing and the guards need, without the automatic short-id alias', () => {
  // Trimmed from a real `docker inspect` of Docker 20.10.
  const inspect = {
    Id: ID,
    Name: '/shop-search-1',
    Config: { Image: 'gov/busybox:test', Labels: { 'com.docker.compose.project': 'shop' } },
    State: { Status: 'running', Running: true, Paused: false, Pid: 4242, StartedAt: '2026-11-22T02:07:01.123456789Z' },
    HostConfig: { CgroupParent: '', Memory: 268435456 },
    NetworkSettings: { Networks: { shop_default: { Aliases: ['search', 'shop-search-1', '09464602a53f'] }, bridge: { Aliases: null } } },
  };
  expect(engineContainerFromInspect(inspect)).toEqual({
    id: ID,
    name: 'shop-search-1',
    image: 'gov/busybox:test',
    state: 'running',
    labels: { 'com.docker.compose.project': 'shop' },
    startedAt: '2026-11-22T02:07:01.123456789Z',
    pid: 4242,
    cgroupParent: '',
    memoryLimit: 268435456,
    networks: [
      { name: 'shop_default', aliases: ['search', 'shop-search-1'] },
      { name: 'bridge', aliases: [] },
    ],
  });
  expect(engineContainerFromInspect({ Id: ID, HostConfig: { Memory: 0 } })).toMatchObject({ name: '', state: 'unknown', memoryLimit: null, networks: [], labels: {} });
});

describe('toDockerError', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' }), 'GOV_DOCKER_UNAVAILABLE', 'listing containers: the Docker engine is unavailable (ECONNREFUSED)'],
    [Object.assign(new Error('connect ENOENT /tmp/none.sock'), { code: 'ENOENT' }), 'GOV_DOCKER_UNAVAILABLE', 'listing containers: the Docker engine is unavailable (ENOENT)'],
    [new Error('socket hang up'), 'GOV_DOCKER_UNAVAILABLE', 'listing containers: the Docker engine is unavailable (socket hang up)'],
    [Object.assign(new Error('(HTTP code 404) no such container'), { statusCode: 404, json: { message: 'No such container: web' } }), 'GOV_DOCKER_NOT_FOUND', 'listing containers: No such container: web'],
    [Object.assign(new Error('(HTTP code 409) unexpected'), { statusCode: 409, json: { message: 'Container x is not running' } }), 'GOV_DOCKER_API', 'listing containers: Container x is not running'],
    [Object.assign(new Error('(HTTP code 500) server error'), { statusCode: 500, json: null }), 'GOV_DOCKER_API', 'listing containers: HTTP 500'],
    [new TypeError('weird'), 'GOV_DOCKER_API', 'listing containers: weird'],
  ])('%s → %s', (error, code, message) => {
    const mapped = toDockerError(error, 'listing containers');
    expect([mapped.name, mapped.code, mapped.message, mapped.cause]).toEqual(['DockerError', code, message, error]);
  });

  it('passes a DockerError through', () => {
    const error = new DockerError('x', { code: 'GOV_DOCKER_STATE' });
    expect(toDockerError(error, 'anything')).toBe(error);
  });
});

it('connectDocker fails with GOV_DOCKER_UNAVAILABLE when the engine does not answer', async () => {
  const down = new DockerError('asking the engine for its info: the Docker engine is unavailable (ECONNREFUSED)', { code: 'GOV_DOCKER_UNAVAILABLE' });
  const engine: DockerEngine = {
    info: async () => Promise.reject(down),
    listContainers: async () => [],
    inspect: async () => Promise.reject(down),
    stats: async () => ({}),
    pause: async () => undefined,
    unpause: async () => undefined,
  };
  const reclaimer = { reclaim: async () => Promise.reject(new Error('nothing is reclaimed here')) };
  await expect(connectDocker({ engine, stateDir: '/nonexistent', reclaimer })).rejects.toBe(down);
});
