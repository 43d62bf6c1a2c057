import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { containerOfEvent, createContainerCache } from './container-cache.js';
import type { EngineContainer } from './engine.js';
import { DockerError } from './errors.js';

const container = (id: string, state = 'running', startedAt = 'first'): EngineContainer => ({
  id,
  name: `c-${id}`,
  image: 'gov/busybox:test',
  state,
  labels: {},
  startedAt,
  pid: 1,
  cgroupParent: '',
  memoryLimit: null,
  networks: [],
});

/** A fake engine: what inspect answers now, how often it was asked, and its event stream. */
function fakeEngine(options: { events?: boolean } = {}) {
  const current = new Map<string, EngineContainer>();
  const inspected: string[] = [];
  const streams: PassThrough[] = [];
  const cache = createContainerCache({
    inspect: async (id) => {
      inspected.push(id);
      const found = current.get(id);
      if (!found) throw new DockerError(`inspecting container ${id}: no such container`, { code: 'GOV_DOCKER_NOT_FOUND', statusCode: 404 });
      return found;
    },
    ...(options.events === false
      ? {}
      : {
          openEvents: async () => {
            const stream = new PassThrough();
            streams.push(stream);
            return stream;
          },
        }),
  });
  const listed = () => [...current.values()].map((entry) => ({ id: entry.id, state: entry.state }));
  const emit = (event: object) => (streams.at(-1) as PassThrough).write(`${JSON.stringify(event)}\n`);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { current, inspected, streams, cache, listed, emit, settle };
}

describe('createContainerCache', () => {
  it('inspects each container once while the events say nothing about it', async () => {
    const engine = fakeEngine();
    engine.current.set('a', container('a'));
    engine.current.set('b', container('b'));
    expect(await engine.cache.describe(engine.listed())).toEqual([container('a'), container('b')]);
    expect(await engine.cache.describe(engine.listed())).toEqual([container('a'), container('b')]);
    expect(await engine.cache.describe(engine.listed())).toEqual([container('a'), container('b')]);
    expect([engine.inspected, engine.streams.length]).toEqual([['a', 'b'], 1]);
  });

  it('inspects again after an event about the container, a new state in the list, or a new id', async () => {
    const engine = fakeEngine();
    engine.current.set('a', container('a'));
    engine.current.set('b', container('b'));
    await engine.cache.describe(engine.listed());
    // A restart: same id, same state in the list, a new start time only an inspect tells.
    engine.current.set('a', container('a', 'running', 'second'));
    engine.emit({ Type: 'container', Action: 'restart', Actor: { ID: 'a', Attributes: {} } });
    // Paused by someone else: the list shows it before any event is read.
    engine.current.set('b', container('b', 'paused'));
    engine.current.set('c', container('c'));
    await engine.settle();
    expect(await engine.cache.describe(engine.listed())).toEqual([container('a', 'running', 'second'), container('b', 'paused'), container('c')]);
    // A network joined is about the container in the event's attributes.
    engine.current.set('c', { ...container('c'), networks: [{ name: 'shop', aliases: ['search'] }] });
    engine.emit({ Type: 'network', Action: 'connect', Actor: { ID: 'net-id', Attributes: { container: 'c', name: 'shop' } } });
    await engine.settle();
    expect((await engine.cache.describe(engine.listed()))[2]).toEqual({ ...container('c'), networks: [{ name: 'shop', aliases: ['search'] }] });
    expect(engine.inspected).toEqual(['a', 'b', 'a', 'b', 'c', 'c']);
  });

  it('leaves out a container removed between the list and the inspect, and forgets containers no longer listed', async () => {
    const engine = fakeEngine();
    engine.current.set('a', container('a'));
    const gone = [...engine.listed(), { id: 'gone', state: 'running' }];
    expect(await engine.cache.describe(gone)).toEqual([container('a')]);
    engine.current.delete('a');
    expect(await engine.cache.describe([])).toEqual([]);
    engine.current.set('a', container('a', 'running', 'again'));
    expect(await engine.cache.describe(engine.listed())).toEqual([container('a', 'running', 'again')]);
    expect(engine.inspected).toEqual(['a', 'gone', 'a']);
  });

  it('does not keep an answer that an event overtook while it was in flight', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const streams: PassThrough[] = [];
    let calls = 0;
    const cache = createContainerCache({
      inspect: async (id) => {
        calls += 1;
        if (calls === 1) await gate;
        return container(id, 'running', `run-${calls}`);
      },
      openEvents: async () => {
        const stream = new PassThrough();
        streams.push(stream);
        return stream;
      },
    });
    const first = cache.describe([{ id: 'a', state: 'running' }]);
    await new Promise((resolve) => setImmediate(resolve));
    streams[0]?.write(`${JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'a' } })}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect((await first)[0]?.startedAt).toBe('run-1');
    expect((await cache.describe([{ id: 'a', state: 'running' }]))[0]?.startedAt).toBe('run-2');
    expect((await cache.describe([{ id: 'a', state: 'running' }]))[0]?.startedAt).toBe('run-2');
  });

  it('inspects everything again once the event stream ends, and watches anew', async () => {
    const engine = fakeEngine();
    engine.current.set('a', container('a'));
    await engine.cache.describe(engine.listed());
    (engine.streams[0] as PassThrough).end();
    await engine.settle();
    await engine.cache.describe(engine.listed());
    await engine.cache.describe(engine.listed());
    expect([engine.inspected, engine.streams.length]).toEqual([['a', 'a'], 2]);
  });

  it('stops trusting a stream that sends something other than events', async () => {
    const engine = fakeEngine();
    engine.current.set('a', container('a'));
    await engine.cache.describe(engine.listed());
    (engine.streams[0] as PassThrough).write('<html>\n');
    await engine.settle();
    await engine.cache.describe(engine.listed());
    expect([engine.inspected, engine.streams[0]?.destroyed, engine.streams.length]).toEqual([['a', 'a'], true, 2]);
  });

  it('inspects every container on every listing without an event stream', async () => {
    const engine = fakeEngine({ events: false });
    engine.current.set('a', container('a'));
    await engine.cache.describe(engine.listed());
    await engine.cache.describe(engine.listed());
    expect(engine.inspected).toEqual(['a', 'a']);
  });

  it('inspects every container when the events cannot be watched, and tries again at the next listing', async () => {
    let attempts = 0;
    const inspected: string[] = [];
    const cache = createContainerCache({
      inspect: async (id) => (inspected.push(id), container(id)),
      openEvents: async () => {
        attempts += 1;
        throw new Error('connect ECONNREFUSED');
      },
    });
    await cache.describe([{ id: 'a', state: 'running' }]);
    await cache.describe([{ id: 'a', state: 'running' }]);
    expect([inspected, attempts]).toEqual([['a', 'a'], 2]);
  });

  it('close() stops watching and forgets', async () => {
    const engine = fakeEngine();
    engine.current.set('a', container('a'));
    await engine.cache.describe(engine.listed());
    engine.cache.close();
    expect(engine.streams[0]?.destroyed).toBe(true);
    await engine.cache.describe(engine.listed());
    expect([engine.inspected, engine.streams.length]).toEqual([['a', 'a'], 2]);
  });
});

it('containerOfEvent reads the actor of a container event and the container of a network event', () => {
  expect(containerOfEvent({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'web' } } })).toBe('abc');
  expect(containerOfEvent({ Type: 'network', Action: 'disconnect', Actor: { ID: 'net', Attributes: { container: 'abc' } } })).toBe('abc');
  expect([containerOfEvent(null), containerOfEvent('start'), containerOfEvent({ Type: 'network', Actor: { ID: 'net' } }), containerOfEvent({ Type: 'container', Actor: { ID: '' } })]).toEqual([null, null, null, null]);
});
