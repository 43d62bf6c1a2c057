import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseLogFormat, createPrettyDestination, formatPrettyLine } from './log-format.js';

let zone: string | undefined;
beforeEach(() => {
  zone = process.env['TZ'];
  process.env['TZ'] = 'UTC';
});
afterEach(() => {
  if (zone === undefined) delete process.env['TZ'];
  else process.env['TZ'] = zone;
});

describe('chooseLogFormat', () => {
  it('takes the flag over the config, and reads auto as pretty on a terminal and JSON otherwise', () => {
    expect([
      chooseLogFormat(null, 'auto', true),
      chooseLogFormat(null, 'auto', false),
      chooseLogFormat(null, 'json', true),
      chooseLogFormat('pretty', 'json', false),
      chooseLogFormat('json', 'pretty', true),
      chooseLogFormat('auto', 'json', true),
    ]).toEqual(['pretty', 'json', 'json', 'pretty', 'json', 'pretty']);
  });
});

describe('formatPrettyLine', () => {
  it('writes time, level and message, then the other fields as key=value', () => {
    expect(formatPrettyLine({ level: 30, time: '2026-11-22T02:12:19.272Z', pid: 1390, name: 'govd', listen: '127.0.0.1:7878', policy: 'aggressive', dryRun: false, keys: ['a', 'b'], msg: 'govd listening' }, false)).toBe(
      '02:12:19.272 INFO  govd listening  listen=127.0.0.1:7878 policy=aggressive dryRun=false keys=["a","b"]\n',
    );
  });

  it('quotes values with spaces, shows errors by their message, and colours the level only when asked', () => {
    expect(formatPrettyLine({ level: 50, time: '2026-11-22T02:12:19.272Z', err: { type: 'Error', message: 'no such file', stack: 'Error: no such file\n    at x' }, path: '/a b', msg: 'history failed' }, false)).toBe(
      '02:12:19.272 ERROR history failed  err="no such file" path="/a b"\n',
    );
    expect(formatPrettyLine({ level: 40, time: '2026-11-22T02:12:19.272Z', msg: 'slow' }, true)).toBe('\u001b[2m02:12:19.272\u001b[0m \u001b[33mWARN \u001b[0m slow\n');
  });
});

describe('createPrettyDestination', () => {
  it('turns each JSON line pino writes into a pretty line, and passes anything else through', () => {
    const written: string[] = [];
    const destination = createPrettyDestination((text) => written.push(text), false);
    destination.write('{"level":20,"time":"2026-11-22T02:12:19.272Z","msg":"tick","decision":"host-ok"}\n');
    destination.write('not json\n');
    expect(written).toEqual(['02:12:19.272 DEBUG tick  decision=host-ok\n', 'not json\n']);
  });
});
