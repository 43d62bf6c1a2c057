const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/**
 * `1073741824` → `1.00 GiB`: binary units as `free -h` prints them, two decimals past bytes;
 * `—` for a missing or non-finite value. The one byte formatter of gov: the CLI and the Control
 * Center both print sizes with it.
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${sign}${value} B` : `${sign}${value.toFixed(2)} ${BYTE_UNITS[unit]}`;
}

/** `184` → `184 ms`, `2500` → `2.5 s`, `90000` → `1m30s`, `7200000` → `2h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes}m${seconds ? `${seconds}s` : ''}` : `${Math.floor(minutes / 60)}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
}

/** `12.345` → `12.3%`, `0.5` → `0.50%`: a percentage with the precision a small value needs. */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '—';
  return `${percent.toFixed(Math.abs(percent) < 10 ? 2 : 1)}%`;
}
