// What the administration pages share. StAdminPage: load the page's data (showing the API's
// error when that fails), one dialog at a time with a form whose errors show beside the
// fields, changes that reload and say how they went, confirmations in page (st-confirm).
// StAdminList: a list page declared by a ListSpec — columns, forms, row buttons, removal —
// which it renders (heading, table, dialogs) and runs; pages say only what is theirs.
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyDeclarations, TemplateResult } from 'lit';
import { errorText } from '../../api/client.ts';
import { session } from '../../api/session.ts';
import { ask } from '../../components/st-confirm.ts';
import type { AskAnswer, AskOptions } from '../../components/st-confirm.ts';
import '../../components/st-dialog.ts';
import type { StDialog } from '../../components/st-dialog.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { apiFieldErrors, formValues } from './forms.ts';
import type { FieldErrors } from './forms.ts';

export const adminStyles = css`
  :host { display: block; }
  .head { margin-bottom: 1rem; }
  .head h1 { margin: 0; }
  td.actions { white-space: nowrap; }
  td.actions button + button { margin-left: 0.35rem; }
`;

export abstract class StAdminPage<D> extends LitElement {
  static override styles = [baseStyles, adminStyles];
  static override properties: PropertyDeclarations = {
    data: { state: true }, error: { state: true }, dialog: { state: true }, errors: { state: true }, busy: { state: true },
  };

  declare data: D | undefined;
  declare error: string | undefined;
  /** The open dialog's name ('create', 'edit', …); one at a time. */
  declare dialog: string | undefined;
  /** The open form's errors: per field, `_` for the whole form. */
  declare errors: FieldErrors;
  declare busy: boolean;

  constructor() {
    super();
    this.errors = {};
    this.busy = false;
  }

  protected abstract fetchData(): Promise<D>;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  protected async load(): Promise<void> {
    try {
      this.data = await this.fetchData();
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  /** Renders the named dialog (rendered `open`, it shows itself). */
  protected openDialog(name: string): void {
    this.dialog = name;
    this.errors = {};
  }

  protected closeDialog(): void {
    this.renderRoot.querySelector<StDialog>('st-dialog')?.close();
  }

  /**
   * Runs a dialog form's change: busy while it runs; then closes the dialog, shows `work`'s
   * message and reloads; on failure the API's error (and its field errors) stay in the form.
   * `work` may set `this.errors` and answer undefined to keep the dialog open.
   */
  protected async submit(work: () => Promise<string | undefined>): Promise<void> {
    this.busy = true;
    this.errors = {};
    try {
      const done = await work();
      if (done === undefined) return;
      this.closeDialog();
      notify('ok', done);
      await this.load();
    } catch (err) {
      this.errors = { ...apiFieldErrors(err), _: errorText(err) };
    } finally {
      this.busy = false;
    }
  }

  /** Asks in page (st-confirm), then runs `work`, shows its message and reloads. */
  protected async confirmed(options: AskOptions, work: (answer: AskAnswer) => Promise<string>): Promise<void> {
    const answer = await ask(options);
    if (!answer) return;
    try {
      notify('ok', await work(answer));
    } catch (err) {
      notifyError(err, `${options.action} failed`);
    }
    await this.load();
  }

  protected renderHead(title: string, actions: unknown = nothing): TemplateResult {
    return html`<div class="row head"><h1>${title}</h1><span class="spacer"></span>${actions}</div>
      ${this.error ? html`<div class="error-box" role="alert">${this.error}</div>` : nothing}`;
  }

  /** A dialog around a form: the form's error on top, the submit button below. */
  protected renderFormDialog(o: { heading: string; submit: string; onSubmit: (ev: SubmitEvent) => unknown; body: unknown }): TemplateResult {
    return html`<st-dialog open heading=${o.heading} @close=${() => { this.dialog = undefined; }}>
      <form id="dialog-form" @submit=${(ev: SubmitEvent) => { ev.preventDefault(); void o.onSubmit(ev); }} novalidate>
        ${this.errors._ ? html`<div class="error-box" role="alert">${this.errors._}</div>` : nothing}
        ${o.body}
      </form>
      <button slot="actions" type="submit" form="dialog-form" class="primary" ?disabled=${this.busy}>${o.submit}</button>
    </st-dialog>`;
  }
}

/** A form in a dialog; `item` is the row it was opened for (undefined for create). */
export interface FormSpec<T> {
  /** Default (create): the button's label. */
  heading?: string | ((item: T) => string);
  submit: string;
  body: (item: T) => unknown;
  /**
   * Saves the form (its non-empty values, and the form for checkboxes): the message to
   * show, or undefined to keep the form open with `errors` set.
   */
  save: (values: Record<string, string>, form: HTMLFormElement, item: T) => Promise<string | undefined>;
}

export interface RowButton {
  label: string;
  /** The accessible name (default: label and the row's id). */
  name?: string;
  /** Opens this form of the spec for the row… */
  form?: string;
  /** …or runs this. */
  run?: () => unknown;
}

/** A removal, confirmed in page before `run`. */
export interface Removal {
  message: unknown;
  /** "Remove" (default) or "Delete": the button, the question and the message after. */
  action?: 'Remove' | 'Delete';
  /** Ask for the row's id to be typed (for removals that take much with them). */
  typeId?: boolean;
  run: () => Promise<unknown>;
}

export interface ListSpec<T> {
  title: string;
  /** The table's accessible name (default: the title). */
  tableLabel?: string;
  /** Where Admin allows changes: the create button and (by default) the row buttons. */
  adminPath: string;
  idOf: (item: T) => string;
  /** Column heading → cell. */
  columns: Record<string, (item: T) => unknown>;
  empty?: string;
  intro?: unknown;
  /** The heading's button label → the form it opens (named 'create'); `everyone`: not only admins. */
  create?: FormSpec<T> & { button: string; everyone?: boolean };
  /** More forms, opened by row buttons. */
  forms?: Record<string, FormSpec<T>>;
  buttons?: (item: T) => (RowButton | false)[];
  remove?: (item: T) => Removal | undefined;
  /** Whether the session may change this row (default: Admin on adminPath). */
  mayChange?: (item: T) => boolean;
}

export abstract class StAdminList<T> extends StAdminPage<T[]> {
  protected abstract readonly spec: ListSpec<T>;
  /** The row the open form is about. */
  protected target: T | undefined;

  protected get list(): T[] | undefined {
    return this.data;
  }

  protected get admin(): boolean {
    return session.can(this.spec.adminPath, 'admin');
  }

  protected openForm(name: string, item?: T): void {
    this.target = item;
    this.openDialog(name);
  }

  private form(name: string | undefined): FormSpec<T> | undefined {
    return name === 'create' ? this.spec.create : name ? this.spec.forms?.[name] : undefined;
  }

  private removeItem(item: T, r: Removal): Promise<void> {
    const action = r.action ?? 'Remove';
    const id = this.spec.idOf(item);
    return this.confirmed({ heading: `${action} ${id}?`, message: r.message, action, danger: true, ...(r.typeId ? { typeToConfirm: id } : {}) }, async () => {
      await r.run();
      return `${id} ${action === 'Delete' ? 'deleted' : 'removed'}`;
    });
  }

  /** The heading's buttons: the create button where allowed. */
  protected headActions(): unknown {
    const c = this.spec.create;
    return c && (c.everyone || this.admin) ? html`<button class="primary" @click=${() => this.openForm('create')}>${c.button}</button>` : nothing;
  }

  protected renderIntro(): unknown {
    return this.spec.intro ?? nothing;
  }

  private rowActions(item: T): unknown {
    const s = this.spec;
    if (!(s.mayChange ? s.mayChange(item) : this.admin)) return nothing;
    const id = s.idOf(item);
    const removal = s.remove?.(item);
    return html`${(s.buttons?.(item) ?? []).map((b) => b && html`<button aria-label=${b.name ?? `${b.label} ${id}`}
        @click=${() => (b.form ? this.openForm(b.form, item) : void b.run?.())}>${b.label}</button>`)}
      ${removal ? html`<button class="danger" aria-label="${removal.action ?? 'Remove'} ${id}" @click=${() => void this.removeItem(item, removal)}>${removal.action ?? 'Remove'}</button>` : nothing}`;
  }

  protected renderTable(): TemplateResult {
    const s = this.spec;
    const cols = Object.entries(s.columns);
    const acts = Boolean(s.buttons || s.remove) && (s.mayChange !== undefined || this.admin);
    const width = cols.length + (acts ? 1 : 0);
    const list = this.list;
    return html`<div class="card table-wrap"><table class="data" aria-label=${s.tableLabel ?? s.title}>
      <thead><tr>${cols.map(([label]) => html`<th>${label}</th>`)}${acts ? html`<th><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
      <tbody>${!list ? html`<tr><td colspan=${width} class="muted">Loading…</td></tr>`
        : !list.length ? html`<tr><td colspan=${width} class="muted">${s.empty ?? 'None yet.'}</td></tr>`
        : list.map((item) => html`<tr>${cols.map(([, cell]) => html`<td>${cell(item)}</td>`)}${acts ? html`<td class="actions">${this.rowActions(item)}</td>` : nothing}</tr>`)}</tbody>
    </table></div>`;
  }

  /** The open form of the spec; pages with other dialogs extend this. */
  protected renderDialog(): unknown {
    const f = this.form(this.dialog);
    if (!f) return nothing;
    const item = this.target as T;
    return this.renderFormDialog({
      heading: typeof f.heading === 'function' ? f.heading(item) : f.heading ?? this.spec.create?.button ?? '',
      submit: f.submit,
      body: f.body(item),
      onSubmit: (ev) => {
        const form = ev.target as HTMLFormElement;
        return this.submit(() => f.save(formValues(form), form, item));
      },
    });
  }

  override render() {
    return html`${this.renderHead(this.spec.title, this.headActions())}${this.renderIntro()}${this.renderTable()}${this.renderDialog()}`;
  }
}

/** A cell in the monospace font (paths, ids, endpoints). */
export const mono = (text: unknown) => html`<span class="mono">${text}</span>`;
