// A usage bar (CPU, memory, disk) with the figure beside it; colour turns at 80 % and 90 %.
import { html } from 'lit';
import { percent } from '../lib/format.ts';
import { styleProps } from '../lib/style-props.ts';

export function usageBar(frac: number | undefined, title?: string) {
  if (frac === undefined || !Number.isFinite(frac)) return html`<span class="muted">–</span>`;
  const clamped = Math.min(1, Math.max(0, frac));
  const level = clamped >= 0.9 ? 'error' : clamped >= 0.8 ? 'warn' : 'ok';
  return html`<span class="usage" title=${title ?? percent(frac)}>
    <span class="bar" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(clamped * 100)} aria-label=${title ?? 'usage'}>
      <span class="fill ${level}" ${styleProps({ width: `${(clamped * 100).toFixed(1)}%` })}></span></span>
    <span class="pct">${percent(frac)}</span></span>`;
}

export function ratio(used: number | undefined, total: number | undefined): number | undefined {
  if (used === undefined || !total) return undefined;
  return used / total;
}
