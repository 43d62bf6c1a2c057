import { describe, expect, it } from 'vitest';
import { renderControlCenter } from './control-center.js';

describe('renderControlCenter', () => {
  const html = renderControlCenter();

  it('is one self-contained page: no external scripts, styles, images or fonts', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=/gi)).toBeNull();
    expect(html.match(/url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/g)).toBeNull();
  });

  it('reads only govd\'s own API', () => {
    expect([...html.matchAll(/getJson\('([^']+)'\)|fetch\('([^']+)'/g)].map((match) => match[1] ?? match[2])).toEqual(['/api/config', '/api/status', '/api/telemetry', '/api/history?limit=500', '/api/config']);
  });

  it('has a script that parses', () => {
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    expect(() => new Function(script)).not.toThrow();
  });
});
