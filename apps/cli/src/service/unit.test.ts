import { describe, expect, it } from 'vitest';
import { renderGovdUnit, systemdWord } from './unit.js';

describe('systemdWord', () => {
  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['/opt/my apps/govd.js', '"/opt/my apps/govd.js"'],
    ['/srv/100%/govd', '/srv/100%%/govd'],
    ['/srv/$HOME/govd', '/srv/$$HOME/govd'],
    ['/srv/"q"/govd', '"/srv/\\"q\\"/govd"'],
  ])('%j is written %j', (word, written) => {
    expect(systemdWord(word)).toBe(written);
  });

  it('quotes each word of ExecStart that needs it', () => {
    expect(renderGovdUnit({ program: '/home/a b/.nvm/node', args: ['/home/a b/lib/govd.js'] })).toContain('\nExecStart="/home/a b/.nvm/node" "/home/a b/lib/govd.js" --config /etc/gov/config.toml\n');
  });
});
