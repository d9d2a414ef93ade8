// Load generation with wrk (Debian package `wrk`), the same client for every side compared.
import { execFileSync, spawnSync } from 'node:child_process';

export function ensureWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
  }
}

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

export function wrk(url: string, opts: { seconds?: number; connections?: number; threads?: number; headers?: string[] } = {}): WrkResult {
  const args = ['-t', String(opts.threads ?? 1), '-c', String(opts.connections ?? 16), '-d', `${opts.seconds ?? 5}s`, '--latency'];
  for (const h of opts.headers ?? []) args.push('-H', h);
  const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const ms = (label: string) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?(\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50ms: ms('50'), p99ms: ms('99'), errors };
}
