import { describe, expect, it } from 'vitest';

// Imported by URL: a plain .mjs script without type declarations.
const { startArgs } = (await import(/* @vite-ignore */ new URL('./start-args.mjs', import.meta.url).href)) as {
  startArgs(args: string[], configFound: boolean): { args: string[]; note: string | null };
};

describe('npm start', () => {
  it('runs govd as a dry run, and says so, on a machine with no config', () => {
    const { args, note } = startArgs(['--log-format', 'pretty'], false);
    expect(args).toEqual(['--log-format', 'pretty', '--dry-run']);
    expect(note).toBe(
      'npm start: govd has no config on this machine, so it runs as a dry run: it decides and records, and changes nothing.\n           To let it act, write a config (npx gov config init), read it (npx gov config show), then npm start again.\n',
    );
  });

  it('runs govd as configured once a config exists or is named, and passes --dry-run, --help and --version as they are', () => {
    expect([startArgs([], true), startArgs(['--config', '/etc/gov/config.toml'], false), startArgs(['--config=/x.toml'], false), startArgs(['--dry-run'], false), startArgs(['--version'], false)]).toEqual([
      { args: [], note: null },
      { args: ['--config', '/etc/gov/config.toml'], note: null },
      { args: ['--config=/x.toml'], note: null },
      { args: ['--dry-run'], note: null },
      { args: ['--version'], note: null },
    ]);
  });
});
