// Look up system users and groups from /etc/passwd and /etc/group (no shell, no getent).
import { readFileSync } from 'node:fs';

function lookup(file: string, name: string, field: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const parts = line.split(':');
    if (parts[0] === name && parts[field] !== undefined) return Number(parts[field]);
  }
  return undefined;
}

export function groupId(name: string, file = '/etc/group'): number | undefined {
  return lookup(file, name, 2);
}

export function userId(name: string, file = '/etc/passwd'): number | undefined {
  return lookup(file, name, 2);
}
