// Form helpers for the administration pages: validate with the API's own zod schemas
// (shared/), and show both client-side and API field errors beside their fields.
import { html, nothing } from 'lit';
import type { z } from 'zod';
import { ApiRequestError } from '../../api/client.ts';

export type FieldErrors = Record<string, string>;

/** Validates input with a shared schema: the parsed value, or the errors per field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): { ok: true; value: z.output<S> } | { ok: false; errors: FieldErrors } {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The API's field errors (code validation), or nothing. */
export function apiFieldErrors(err: unknown): FieldErrors {
  return err instanceof ApiRequestError && err.errors ? err.errors : {};
}

export function fieldError(errors: FieldErrors | undefined, ...keys: string[]) {
  const msg = keys.map((k) => errors?.[k]).find(Boolean);
  return msg ? html`<div class="field-error" role="alert">${msg}</div>` : nothing;
}

/** Form fields as strings, empty ones left out (so optional schema fields stay absent). */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) {
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out;
}

/** An expiry (epoch seconds, 0 = never) as a date input's value. */
export function dateInputValue(epochS: number | undefined): string {
  if (!epochS) return '';
  const d = new Date(epochS * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A date input's value as an expiry: the end of that day here (0 = never, for an empty one). */
export function expiryOf(value: string | undefined): number {
  return value ? Math.floor(new Date(`${value}T23:59:59`).getTime() / 1000) : 0;
}

/**
 * An update body with only what an edit form changed against `current`: the text fields
 * (an emptied one goes into `delete`), the expiry (date input `expire`), the `enable`
 * checkbox, and the digest that was read. Unchanged fields stay out, since some changes
 * have effects of their own (a new expiry ends a user's sessions).
 */
export function changedFields(
  values: Record<string, string>,
  form: HTMLFormElement,
  current: { digest?: string; expire?: number; enable: boolean } & Partial<Record<string, unknown>>,
  textKeys: readonly string[],
): Record<string, unknown> {
  const body: Record<string, unknown> = { digest: current.digest };
  const cleared = textKeys.filter((k) => values[k] === undefined && (current[k] ?? '') !== '');
  for (const k of textKeys) if (values[k] !== undefined && values[k] !== current[k]) body[k] = values[k];
  if (cleared.length) body.delete = cleared;
  if ((values.expire ?? '') !== dateInputValue(current.expire)) body.expire = expiryOf(values.expire);
  const enable = (form.elements.namedItem('enable') as HTMLInputElement | null)?.checked;
  if (enable !== undefined && enable !== current.enable) body.enable = enable;
  return body;
}
