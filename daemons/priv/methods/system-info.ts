// system.info: host facts from /proc and /etc/os-release, never from a shell.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { MethodHandler } from '../method.ts';

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]!] = v.replace(/\\(["'$`\\])/g, '$1');
  }
  return out;
}

export function parseMeminfo(text: string): { total: number; free: number; available: number } {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { total: kb('MemTotal'), free: kb('MemFree'), available: kb('MemAvailable') };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

export const systemInfo: MethodHandler<'system.info'> = async () => {
  const [osRelease, meminfo, uptime, hostname] = await Promise.all([
    readText('/etc/os-release'),
    readText('/proc/meminfo'),
    readText('/proc/uptime'),
    readText('/proc/sys/kernel/hostname'),
  ]);
  const rel = parseOsRelease(osRelease);
  return {
    hostname: hostname.trim() || os.hostname(),
    kernel: { sysname: os.type(), release: os.release(), version: os.version().slice(0, 256), machine: os.machine() },
    os: {
      id: rel.ID ?? 'unknown',
      name: rel.NAME ?? 'unknown',
      version: rel.VERSION ?? rel.VERSION_ID ?? '',
      prettyName: rel.PRETTY_NAME ?? rel.NAME ?? 'unknown',
    },
    uptime: Number(uptime.split(' ')[0]) || os.uptime(),
    loadavg: os.loadavg(),
    memory: parseMeminfo(meminfo),
    cpus: os.cpus().length || 1,
  };
};
