// Tasks the user started in this tab, so the task bar shows them at once (before the next
// poll of /remotes/tasks or /system/tasks lists them), and whether they are still running.
import type { TaskSource } from '../api/tasks.ts';

type Listener = () => void;
const started: { upid: string; at: number; source: TaskSource }[] = [];
const listeners = new Set<Listener>();

export function trackTask(upid: string, source: TaskSource = 'remote'): void {
  started.unshift({ upid, at: Date.now(), source });
  started.length = Math.min(started.length, 20);
  for (const fn of listeners) fn();
}

export function trackedTasks(): readonly { upid: string; at: number; source: TaskSource }[] {
  return started;
}

export function onTrackedTask(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
