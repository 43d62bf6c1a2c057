import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDemandCurve } from './host.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

export const IDLE_CONTENDERS = ['none', 'wsl-dropcache', 'wsl-gradual', 'senpai', 'dynamic', 'learned'] as const;
export const HOST_CONTENDERS = ['none', 'wsl-dropcache', 'wsl-gradual', 'senpai', 'dynamic', 'govd'] as const;
export const ALL_CONTENDERS = ['none', 'wsl-dropcache', 'wsl-gradual', 'senpai', 'dynamic', 'learned', 'govd'] as const;
/** The default host demand: other Windows programs take 7 GiB, ramp to 11.5 GiB and back. */
export const DEFAULT_HOST_DEMAND = '0s:7G,60s:7G,120s:11.5G,300s:11.5G,330s:7G,360s:7G';

export function size(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)(i?B)?$/i.exec(text.trim());
  if (!match) throw new Error(`${flag}: "${text}" is not a size (e.g. 512M, 1G)`);
  const factor = { '': 1, K: 1024, M: MIB, G: GIB }[(match[2] ?? '').toUpperCase()] as number;
  return Math.round(Number(match[1]) * factor);
}

export function duration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!match) throw new Error(`${flag}: "${text}" is not a duration (e.g. 90s, 2m)`);
  return Math.round(Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm']);
}

function share(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw new Error(`${flag}: "${text}" is not a share from 0 to 1`);
  return value;
}

function count(text: string, flag: string, min = 1): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`${flag}: "${text}" is not a whole number ≥ ${min}`);
  return Number(text);
}

export const USAGE = `node tools/bench/governor-eval/run.mjs [options]

  --scenario idle|host  idle (default): page cache left behind by an idle phase, the guest's
                        size as the pressure; host: a simulated Windows host under pressure from
                        other programs while the guest stays busy (see README)
  --set-size SIZE       bytes in working set A (default 1G)
  --other-size SIZE     bytes in set B (default: --set-size; host scenario 3G)
  --files N             files per set (default 4)
  --anon SIZE           the mixed workload: a process in the guest holding SIZE of anonymous
                        memory, touched once per read pass (default 0: pure page cache)
  --hot-passes N        idle scenario: passes over set A in the hot phase (default 8)
  --other-passes N      idle scenario: passes over set B (default 4)
  --return-passes N     idle scenario: passes over set A on return (default 4)
  --think DURATION      pause between two passes (default 5s)
  --idle DURATION       idle scenario: idle phase between hot A and B (default 150s)
  --vm-size SIZE        RAM of the simulated guest (default 6G; host scenario 8G)
  --max-held SIZE       idle scenario: dynamic keeps the guest under this (default 512M)
  --host-size SIZE      host scenario: Windows' memory (default 16G)
  --host-demand CURVE   host scenario: other programs' memory over the run, time:size points
                        (default ${DEFAULT_HOST_DEMAND}); the run lasts until the last point
  --reported-share X    host scenario: share (0…1) of what the guest frees that free-page reporting
                        hands back without a compaction (default 0: only after one, as WSL reports
                        free blocks of 2^5 or 2^9 pages)
  --tick DURATION       gov check interval (default 5s; host scenario 30s, govd's default)
  --interval DURATION   dynamic reclaim_interval (default 15s; host scenario 60s, the default)
  --horizon DURATION    the advisor's outcome horizon (default 60s; 5m in govd)
  --min-samples N       outcomes before the advisor advises (default 8; 20 in govd)
  --probe-after N       vetoes in a row before one reclaim goes through anyway (default: one horizon of ticks)
  --train-runs N        dynamic runs the advisor learns from before the first learned run (default 2)
  --fresh-model         learned starts from no outcomes at all (cold start; default: from the training runs)
  --young-guard N       the advisor's young-model guard: outcomes before it may act on a harmful
                        majority ahead of min_samples (default 4, @gov/neural's; 0 turns it off)
  --rounds N            run every contender N times, in the same order each round (default 3)
  --retries N           repeat a run during which another program wrote drop_caches, at most N times (default 1)
  --contenders LIST     comma-separated subset of ${ALL_CONTENDERS.join(',')}
                        (default idle: ${IDLE_CONTENDERS.join(',')}; host: ${HOST_CONTENDERS.join(',')})
  --govd PATH           the built govd (default apps/daemon/dist/govd.js; npm run build first)
  --data-dir PATH       where the files, the model and results go (default .bench-data/governor-eval)
  --seed N              weight initialisation seed (default 1)`;

export function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string', default: 'idle' },
      'set-size': { type: 'string', default: '1G' },
      'other-size': { type: 'string' },
      files: { type: 'string', default: '4' },
      anon: { type: 'string', default: '0' },
      'hot-passes': { type: 'string', default: '8' },
      'other-passes': { type: 'string', default: '4' },
      'return-passes': { type: 'string', default: '4' },
      think: { type: 'string', default: '5s' },
      idle: { type: 'string', default: '150s' },
      'vm-size': { type: 'string' },
      'max-held': { type: 'string', default: '512M' },
      'host-size': { type: 'string', default: '16G' },
      'host-demand': { type: 'string', default: DEFAULT_HOST_DEMAND },
      'reported-share': { type: 'string', default: '0' },
      tick: { type: 'string' },
      interval: { type: 'string' },
      horizon: { type: 'string', default: '60s' },
      'min-samples': { type: 'string', default: '8' },
      'train-runs': { type: 'string', default: '2' },
      'fresh-model': { type: 'boolean', default: false },
      'young-guard': { type: 'string', default: '4' },
      'probe-after': { type: 'string' },
      contenders: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      retries: { type: 'string', default: '1' },
      govd: { type: 'string', default: 'apps/daemon/dist/govd.js' },
      'data-dir': { type: 'string', default: '.bench-data/governor-eval' },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const scenario = values.scenario as string;
  if (scenario !== 'idle' && scenario !== 'host') throw new Error(`--scenario: "${scenario}" is not idle or host`);
  const host = scenario === 'host';
  const contenders = (values.contenders ?? (host ? HOST_CONTENDERS : IDLE_CONTENDERS).join(',')).split(',').map((name) => name.trim());
  for (const name of contenders) if (!(ALL_CONTENDERS as readonly string[]).includes(name)) throw new Error(`--contenders: unknown "${name}"; choose from ${ALL_CONTENDERS.join(', ')}`);
  if (!host && contenders.includes('govd')) throw new Error('--contenders: govd runs in the host scenario only (--scenario host)');
  const setSize = size(values['set-size'] as string, '--set-size');
  return {
    help: Boolean(values.help),
    scenario: scenario as 'idle' | 'host',
    setSize,
    otherSize: values['other-size'] === undefined ? (host ? 3 * GIB : setSize) : size(values['other-size'], '--other-size'),
    files: count(values.files as string, '--files'),
    anonBytes: size(values.anon as string, '--anon'),
    hotPasses: count(values['hot-passes'] as string, '--hot-passes'),
    otherPasses: count(values['other-passes'] as string, '--other-passes'),
    returnPasses: count(values['return-passes'] as string, '--return-passes'),
    thinkMs: duration(values.think as string, '--think'),
    idleMs: duration(values.idle as string, '--idle'),
    vmSize: size(values['vm-size'] ?? (host ? '8G' : '6G'), '--vm-size'),
    maxHeld: size(values['max-held'] as string, '--max-held'),
    hostSize: size(values['host-size'] as string, '--host-size'),
    hostDemand: parseDemandCurve(values['host-demand'] as string),
    reportedShare: share(values['reported-share'] as string, '--reported-share'),
    tickSecs: Math.max(1, Math.round(duration(values.tick ?? (host ? '30s' : '5s'), '--tick') / 1000)),
    intervalSecs: Math.max(1, Math.round(duration(values.interval ?? (host ? '60s' : '15s'), '--interval') / 1000)),
    horizonMs: duration(values.horizon as string, '--horizon'),
    minSamples: count(values['min-samples'] as string, '--min-samples', 0),
    trainRuns: count(values['train-runs'] as string, '--train-runs', 0),
    freshModel: Boolean(values['fresh-model']),
    youngGuard: count(values['young-guard'] as string, '--young-guard', 0),
    probeAfter: values['probe-after'] === undefined ? null : count(values['probe-after'], '--probe-after'),
    contenders,
    rounds: count(values.rounds as string, '--rounds'),
    retries: count(values.retries as string, '--retries', 0),
    govdPath: resolve(values.govd as string),
    dataDir: resolve(values['data-dir'] as string),
    seed: Number(values.seed),
  };
}

export type Options = ReturnType<typeof parseOptions>;
