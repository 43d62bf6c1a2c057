import { formatBytes, TELEMETRY_RANGES, type HistoryRead, type StatusResponse, type TelemetryPoint, type TelemetryRange } from '@gov/api';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { byteTicks, nearestIndex, timeTicks, valueDomain } from '../chart-scale.js';
import { usePoll } from '../use-poll.js';
import type { Session } from './app.js';

type HistoryRecord = HistoryRead['records'][number];
type ActionRecord = Extract<HistoryRecord, { kind: 'reclaim' | 'pause-idle-containers' | 'reclaim-idle-pods' }>;

interface Series {
  key: keyof Pick<TelemetryPoint, 'used' | 'reclaimable' | 'available' | 'hostAvailable'>;
  label: string;
}

const LINUX_SERIES: Series[] = [
  { key: 'used', label: 'Linux used' },
  // What a reclaim can give back, as the memory bar counts page cache.
  { key: 'reclaimable', label: 'Page cache' },
  { key: 'available', label: 'Linux available' },
];
const HOST_SERIES: Series = { key: 'hostAvailable', label: 'Windows available' };

const PANE_HEIGHT = 78;
const PANE_GAP = 24;
const MARGIN = { top: 22, right: 12, bottom: 24, left: 78 };
const RANGE_LABELS: Record<TelemetryRange, string> = { hour: 'Last hour', day: 'Last day', week: 'Last week' };

const isAction = (record: HistoryRecord): record is ActionRecord => record.kind === 'reclaim' || record.kind === 'pause-idle-containers' || record.kind === 'reclaim-idle-pods';

function actionName(action: ActionRecord): string {
  if (action.kind === 'reclaim') return action.method;
  return action.kind === 'pause-idle-containers' ? `pause ${action.paused.join(', ')}` : `reclaim pods ${action.reclaimed.join(', ')}`;
}

function freedText(action: ActionRecord): string {
  return action.dryRun ? 'dry run' : `−${formatBytes(action.freedBytes)}`;
}

function timeLabel(ms: number, range: TelemetryRange): string {
  const date = new Date(ms);
  if (range === 'week') return date.toLocaleDateString(undefined, { weekday: 'short', hour: '2-digit' });
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** The width the element has on screen, kept up to date. */
function useWidth(fallback: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.max(280, Math.floor(entry?.contentRect.width ?? fallback))));
    observer.observe(element);
    return () => observer.disconnect();
  }, [fallback]);
  return { ref, width };
}

/**
 * Memory over time, one pane per line so each has its own focused scale (a change of a few MiB
 * stays visible), with every reclaim, pause and pod reclaim from the history file marked and its freed bytes.
 * Pointer or arrow keys show the values at a moment.
 */
export function HistoryChart(props: { session: Session; environment: StatusResponse['capabilities']['environment']; actions: number }) {
  const { session } = props;
  const [range, setRange] = useState<TelemetryRange>('hour');
  const [fromZero, setFromZero] = useState(false);
  const [cursor, setCursor] = useState<number | null>(null);
  const telemetry = usePoll(() => session.client.telemetry({ range }), range === 'hour' ? 5000 : 30_000, range);
  // Read again at once when the range changes or the user acted on this page.
  const history = usePoll(() => session.client.history({ limit: 2000, since: new Date(Date.now() - TELEMETRY_RANGES[range]).toISOString() }), 15_000, `${range}/${props.actions}`);
  const { ref, width } = useWidth(900);

  const points = telemetry.data?.snapshots ?? [];
  const actions = useMemo(() => (history.data?.records ?? []).filter(isAction), [history.data]);
  // On plain Linux the host is this machine: its line would repeat Linux available.
  const series = props.environment === 'wsl-guest' || props.environment === 'windows' ? [...LINUX_SERIES, HOST_SERIES] : LINUX_SERIES;
  const times = useMemo(() => points.map((point) => Date.parse(point.at)), [points]);
  const toMs = Date.now();
  // The range, or less when govd holds less: samples and actions fill the width they have.
  const firstMs = Math.min(times[0] ?? toMs, ...actions.map((action) => Date.parse(action.at)));
  const fromMs = Math.max(toMs - TELEMETRY_RANGES[range], Math.min(firstMs, toMs - 120_000));
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const height = MARGIN.top + series.length * (PANE_HEIGHT + PANE_GAP) - PANE_GAP + MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + ((ms - fromMs) / (toMs - fromMs)) * plotWidth;
  const paneTop = (index: number) => MARGIN.top + index * (PANE_HEIGHT + PANE_GAP);

  const panes = series.map((line, index) => {
    const values = points.map((point) => point[line.key]);
    const domain = valueDomain(values.filter((value): value is number => value !== null), fromZero);
    const y = (value: number) => paneTop(index) + PANE_HEIGHT - ((value - domain[0]) / (domain[1] - domain[0])) * PANE_HEIGHT;
    let path = '';
    values.forEach((value, i) => {
      if (value === null) return;
      path += `${path === '' || values[i - 1] === null ? 'M' : 'L'}${x(times[i] as number).toFixed(1)},${y(value).toFixed(1)}`;
    });
    // Round values where two or more fall in the pane, else its edges: every pane shows its scale.
    const round = byteTicks(domain[0], domain[1], 3);
    return { line, index, domain, y, path, ticks: round.length >= 2 ? round : [domain[0], domain[1]] };
  });

  const cursorPoint = cursor === null ? null : (points[cursor] ?? null);
  const cursorMs = cursor === null ? null : (times[cursor] ?? null);
  const nearAction = cursorMs === null ? null : (actions.find((action) => Math.abs(x(Date.parse(action.at)) - x(cursorMs)) < 6) ?? null);
  const labelled: number[] = [];

  const moveTo = (ms: number) => setCursor(nearestIndex(times, ms));
  const onKey = (event: KeyboardEvent) => {
    if (points.length === 0) return;
    const step = event.shiftKey ? 10 : 1;
    const at = cursor ?? points.length - 1;
    const next = { ArrowLeft: at - step, ArrowRight: at + step, Home: 0, End: points.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setCursor(Math.min(points.length - 1, Math.max(0, next)));
  };

  return (
    <section aria-labelledby="chart-title" class="wide">
      <h2 id="chart-title">Memory over time</h2>
      <div class="controls">
        <fieldset class="segmented">
          <legend class="sr-only">Time range</legend>
          {(Object.keys(TELEMETRY_RANGES) as TelemetryRange[]).map((name) => (
            <label key={name}>
              <input type="radio" name="range" value={name} checked={range === name} onChange={() => (setRange(name), setCursor(null))} />
              <span>{RANGE_LABELS[name]}</span>
            </label>
          ))}
        </fieldset>
        <label class="check">
          <input type="checkbox" checked={fromZero} onChange={(event) => setFromZero(event.currentTarget.checked)} /> Scale from zero
        </label>
      </div>
      <div class="chart" ref={ref}>
        {points.length === 0 ? (
          <p class="dim">{telemetry.error ?? 'No samples yet in this range.'}</p>
        ) : (
          <svg
            width={width}
            height={height}
            viewBox={`0 0 ${width} ${height}`}
            role="img"
            tabIndex={0}
            aria-label={`Memory over the ${range}: ${series.map((line) => line.label).join(', ')}, one pane each; ${actions.length} actions marked. Use the arrow keys to read the values at a moment.`}
            onPointerMove={(event) => {
              const box = (event.currentTarget as SVGSVGElement).getBoundingClientRect();
              moveTo(fromMs + ((event.clientX - box.left - MARGIN.left) / plotWidth) * (toMs - fromMs));
            }}
            onPointerLeave={() => setCursor(null)}
            onKeyDown={onKey}
            onBlur={() => setCursor(null)}
          >
            {timeTicks(fromMs, toMs, Math.max(2, Math.floor(plotWidth / 110))).map((tick) => (
              <g key={tick} class="tick">
                <line x1={x(tick)} x2={x(tick)} y1={MARGIN.top} y2={height - MARGIN.bottom} />
                <text x={x(tick)} y={height - 6} text-anchor={x(tick) > width - MARGIN.right - 40 ? 'end' : 'middle'}>
                  {timeLabel(tick, range)}
                </text>
              </g>
            ))}
            {panes.map((pane) => (
              <g key={pane.line.key} class={`pane pane-${pane.line.key}`}>
                <text class="pane-label" x={MARGIN.left} y={paneTop(pane.index) - 6}>
                  {pane.line.label} <tspan class="now">{formatBytes(points.at(-1)?.[pane.line.key])} now</tspan>
                </text>
                {pane.ticks.map((tick) => (
                  <g key={tick} class="tick">
                    <line x1={MARGIN.left} x2={width - MARGIN.right} y1={pane.y(tick)} y2={pane.y(tick)} />
                    <text x={MARGIN.left - 6} y={pane.y(tick) + 4} text-anchor="end">
                      {formatBytes(tick)}
                    </text>
                  </g>
                ))}
                <path class="line" d={pane.path} />
              </g>
            ))}
            {actions.map((action) => {
              const ax = x(Date.parse(action.at));
              if (ax < MARGIN.left || ax > width - MARGIN.right) return null;
              const showLabel = labelled.every((other) => Math.abs(other - ax) > 70);
              if (showLabel) labelled.push(ax);
              return (
                <g key={`${action.at}-${action.kind}`} class={`action${action.dryRun ? ' dry' : ''}`}>
                  <line x1={ax} x2={ax} y1={MARGIN.top - 8} y2={height - MARGIN.bottom} />
                  <path d={`M${ax - 5},${MARGIN.top - 14}L${ax + 5},${MARGIN.top - 14}L${ax},${MARGIN.top - 7}Z`} />
                  {showLabel ? (
                    <text x={Math.min(ax + 7, width - MARGIN.right - 60)} y={MARGIN.top - 8}>
                      {freedText(action)}
                    </text>
                  ) : null}
                </g>
              );
            })}
            {cursorMs !== null ? <line class="cursor" x1={x(cursorMs)} x2={x(cursorMs)} y1={MARGIN.top} y2={height - MARGIN.bottom} /> : null}
            {cursorPoint
              ? panes.map((pane) => {
                  const value = cursorPoint[pane.line.key];
                  return value === null ? null : <circle key={pane.line.key} class="dot" cx={x(cursorMs as number)} cy={pane.y(value)} r={3.5} />;
                })
              : null}
          </svg>
        )}
        <p class="readout" aria-live="polite">
          {cursorPoint ? (
            <>
              <strong>{new Date(cursorPoint.at).toLocaleString()}</strong>
              {series.map((line) => (
                <span key={line.key}>
                  {' '}
                  · {line.label} {formatBytes(cursorPoint[line.key])}
                </span>
              ))}
              {cursorPoint.psiSomeAvg10 !== null ? <span> · PSI some {cursorPoint.psiSomeAvg10.toFixed(2)}%</span> : null}
              {nearAction ? (
                <span class="act">
                  {' '}
                  · {actionName(nearAction)} {freedText(nearAction)}: {nearAction.reason}
                </span>
              ) : null}
            </>
          ) : (
            <span class="dim">
              {telemetry.data?.heldSince ? `Samples since ${new Date(telemetry.data.heldSince).toLocaleString()} (govd keeps them in memory: a day in full, a week in 10-minute steps). ` : ''}
              Point at the chart, or focus it and use the arrow keys, to read values.
            </span>
          )}
        </p>
      </div>
      <h3>Actions in this range</h3>
      {history.error ? <p class="bad">{history.error}</p> : null}
      {actions.length === 0 ? (
        <p class="dim">None.</p>
      ) : (
        <ol class="actions" reversed>
          {actions
            .slice(-12)
            .reverse()
            .map((action) => (
              <li key={`${action.at}-${action.kind}`}>
                <time dateTime={action.at}>{new Date(action.at).toLocaleString()}</time> <strong>{actionName(action)}</strong> <span class={action.dryRun ? 'pill' : 'pill ok'}>{freedText(action)}</span>{' '}
                <span class="dim">
                  {action.policy} · {action.code}: {action.reason}
                </span>
              </li>
            ))}
        </ol>
      )}
      {actions.length > 12 ? <p class="dim">and {actions.length - 12} earlier (gov history lists them all).</p> : null}
    </section>
  );
}
