// Transient messages (toasts) for results of actions; the shell renders them.
import { errorText } from '../api/client.ts';

export interface Toast { id: number; kind: 'ok' | 'error' | 'info'; text: string }

type Listener = (toasts: readonly Toast[]) => void;
let toasts: Toast[] = [];
let next = 1;
const listeners = new Set<Listener>();

export function onToasts(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(): void {
  for (const fn of listeners) fn(toasts);
}

export function dismiss(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function notify(kind: Toast['kind'], text: string, ms = kind === 'error' ? 10_000 : 4_000): void {
  const id = next++;
  toasts = [...toasts.slice(-4), { id, kind, text }];
  emit();
  setTimeout(() => dismiss(id), ms);
}

export function notifyError(err: unknown, prefix?: string): void {
  notify('error', prefix ? `${prefix}: ${errorText(err)}` : errorText(err));
}
