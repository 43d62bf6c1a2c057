import { formatBytes, formatDuration, type StatusResponse } from '@gov/api';
import { memoryBreakdown, segmentShares } from '../memory-breakdown.js';

const SEGMENT_HELP: Record<string, string> = {
  apps: 'what Linux applications hold (total − free − reclaimable)',
  cache: 'page cache and reclaimable slab: what a reclaim can give back',
  'vm-free': 'memory Windows gave the VM that Linux has free: returned once compacted',
  'host-other': 'what the rest of Windows uses',
  free: 'free memory',
};

function PressureLine(props: { name: string; line: { avg10: number; avg60: number; avg300: number } | null }) {
  if (!props.line) return null;
  return (
    <>
      <dt>PSI {props.name}</dt>
      <dd>
        {props.line.avg10.toFixed(2)}% · {props.line.avg60.toFixed(2)}% · {props.line.avg300.toFixed(2)}% <span class="dim">(10 s · 60 s · 300 s)</span>
      </dd>
    </>
  );
}

/** Where memory is now, what the kernel says about pressure, and what govd decided last. */
export function MemoryNow(props: { status: StatusResponse | null; error: string | null }) {
  const { status } = props;
  const snapshot = status?.snapshot ?? null;
  const breakdown = snapshot ? memoryBreakdown(snapshot) : null;
  const shares = breakdown ? segmentShares(breakdown) : [];
  const decision = status?.lastDecision ?? null;
  const tick = status?.lastTick ?? null;
  return (
    <section aria-labelledby="now-title" class="wide">
      <h2 id="now-title">Where memory is</h2>
      {!snapshot ? (
        <p class="dim">{props.error ?? 'Waiting for the first snapshot…'}</p>
      ) : !breakdown ? (
        <p class="bad">Linux memory could not be read in the last snapshot.</p>
      ) : (
        <>
          <p class="dim">
            {breakdown.scope === 'host' ? `Windows host: ${formatBytes(breakdown.totalBytes)}, ${formatBytes(breakdown.availableBytes)} available; the WSL VM's working set (vmmem) is ${formatBytes(breakdown.vmmemBytes)}.` : `This machine: ${formatBytes(breakdown.totalBytes)}, ${formatBytes(breakdown.availableBytes)} available.`}
            {snapshot.environment === 'wsl-guest' && breakdown.scope === 'linux' ? ' The Windows host could not be read (see degraded sources).' : ''}
          </p>
          <div class="bar" role="img" aria-label={breakdown.segments.map((segment) => `${segment.label} ${formatBytes(segment.bytes)}`).join(', ')}>
            {breakdown.segments.map((segment, index) => (
              <span key={segment.key} class={`seg seg-${segment.key}`} style={{ width: `${shares[index]}%` }} title={`${segment.label}: ${formatBytes(segment.bytes)}`} />
            ))}
          </div>
          {breakdown.wasteBytes !== null ? (
            <p class="waste">
              <strong>Waste {formatBytes(breakdown.wasteBytes)}</strong> <span class="dim">— the VM holds it, Linux apps do not use it (page cache and VM free above)</span>
            </p>
          ) : null}
          <ul class="legend">
            {breakdown.segments.map((segment, index) => (
              <li key={segment.key}>
                <i class={`swatch seg-${segment.key}`} aria-hidden="true" />
                <span class="label">{segment.label}</span> <strong>{formatBytes(segment.bytes)}</strong> <span class="dim">{(shares[index] ?? 0).toFixed(1)}%</span>
                <span class="help">{SEGMENT_HELP[segment.key]}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {status ? (
        <div class="facts">
          <dl>
            <dt>Policy</dt>
            <dd>
              {status.policy}
              {status.enabled ? '' : ' (governor disabled)'} · every {status.checkIntervalSecs} s
            </dd>
            <dt>Dry run</dt>
            <dd>{status.dryRun ? 'yes — nothing is changed' : 'no'}</dd>
            <dt>Last decision</dt>
            <dd>{decision ? <><code>{decision.code}</code> {decision.kind === 'none' ? '' : `→ ${decision.kind}`}<span class="reason">{decision.reason}</span></> : 'none yet'}</dd>
            <dt>Last tick</dt>
            <dd>
              {tick ? `${new Date(tick.at).toLocaleTimeString()} · ${formatDuration(tick.durationMs)}` : '—'}
              {tick && tick.errors.length > 0 ? <span class="bad"> · {tick.errors.map((error) => `${error.stage}: ${error.message}`).join('; ')}</span> : null}
            </dd>
          </dl>
          <dl>
            <PressureLine name="some" line={snapshot?.pressure?.some ?? null} />
            <PressureLine name="full" line={snapshot?.pressure?.full ?? null} />
            <dt>Reclaim</dt>
            <dd>{status.capabilities.reclaim === 'needs-root' ? 'needs root: govd is not root' : status.capabilities.reclaim}</dd>
            <dt>Advisor</dt>
            <dd>{status.capabilities.advisor}</dd>
            <dt>Degraded sources</dt>
            <dd>
              {status.degraded.length === 0 ? (
                'none'
              ) : (
                <ul class="plain">
                  {status.degraded.map((source) => (
                    <li key={source.source} class="bad">
                      <strong>{source.source}</strong>: {source.message}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </dl>
        </div>
      ) : null}
    </section>
  );
}
