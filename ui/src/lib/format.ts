// Number and time formatting shared by the views.

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

export function percent(frac: number | undefined): string {
  if (frac === undefined || !Number.isFinite(frac)) return '–';
  return `${(frac * 100).toFixed(frac < 0.1 ? 1 : 0)}%`;
}

export function duration(seconds: number | undefined): string {
  if (!seconds || seconds < 0) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return m ? `${m}m` : `${Math.floor(seconds)}s`;
}

/** "3 min ago" for an epoch-seconds time, relative to now (ms). */
export function age(epochSeconds: number | undefined, nowMs = Date.now()): string {
  if (!epochSeconds) return 'never';
  const s = Math.max(0, Math.round(nowMs / 1000 - epochSeconds));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function dateTime(epochSeconds: number | undefined): string {
  if (!epochSeconds) return '–';
  return new Date(epochSeconds * 1000).toLocaleString();
}

/** Status word → badge class. */
export function statusClass(status: string | undefined): 'ok' | 'warn' | 'error' | '' {
  switch (status) {
    case 'running': case 'online': case 'available': case 'ok': case 'active': return 'ok';
    case 'paused': case 'suspended': case 'unknown': case 'prelaunch': case 'warning': return 'warn';
    case 'offline': case 'error': case 'unavailable': case 'down': case 'failed': return 'error';
    default: return '';
  }
}
