// What the administration pages share. StAdminPage: load the page's data (showing the API's
// error when that fails), one dialog at a time with a form whose errors show beside the
// fields, changes that reload and say how they went, removals confirmed in page (st-confirm).
// StAdminList: a heading with its buttons, an optional intro, and a table declared by columns
// and row actions — the pages only say what is in the columns.
import { LitElement, css, html, nothing } from 'lit';
import type { PropertyDeclarations, TemplateResult } from 'lit';
import { errorText } from '../../api/client.ts';
import { ask } from '../../components/st-confirm.ts';
import type { AskAnswer, AskOptions } from '../../components/st-confirm.ts';
import '../../components/st-dialog.ts';
import type { StDialog } from '../../components/st-dialog.ts';
import { notify, notifyError } from '../../lib/notify.ts';
import { baseStyles } from '../../lib/styles.ts';
import { apiFieldErrors } from './forms.ts';
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

  /** Renders the named dialog and shows it. */
  protected async openDialog(name: string): Promise<void> {
    this.dialog = name;
    this.errors = {};
    await this.updateComplete;
    this.renderRoot.querySelector<StDialog>('st-dialog')?.show();
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

  /** Asks in page (st-confirm), then runs `work`, says how it went and reloads. */
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
    return html`<st-dialog heading=${o.heading} @close=${() => { this.dialog = undefined; }}>
      <form id="dialog-form" @submit=${(ev: SubmitEvent) => { ev.preventDefault(); void o.onSubmit(ev); }} novalidate>
        ${this.errors._ ? html`<div class="error-box" role="alert">${this.errors._}</div>` : nothing}
        ${o.body}
      </form>
      <button slot="actions" type="submit" form="dialog-form" class="primary" ?disabled=${this.busy}>${o.submit}</button>
    </st-dialog>`;
  }
}

export interface Column<T> {
  label: string;
  cell: (item: T) => unknown;
  class?: string;
}

export abstract class StAdminList<T> extends StAdminPage<T[]> {
  protected abstract readonly pageTitle: string;
  /** The table's accessible name (default: the page title). */
  protected tableLabel?: string;
  /** What the table says when the list is empty. */
  protected emptyText(): unknown {
    return 'None yet.';
  }

  protected get list(): T[] | undefined {
    return this.data;
  }

  protected abstract columns(): Column<T>[];
  /** The buttons on the heading's right (create, add). */
  protected headActions(): unknown {
    return nothing;
  }
  /** Whether the table has an actions column (usually: the session may change things). */
  protected hasRowActions(): boolean {
    return false;
  }
  protected rowActions(_item: T): unknown {
    return nothing;
  }
  /** Text between the heading and the table. */
  protected renderIntro(): unknown {
    return nothing;
  }
  protected renderDialog(): unknown {
    return nothing;
  }

  protected renderTable(): TemplateResult {
    const cols = this.columns();
    const acts = this.hasRowActions();
    const list = this.list;
    const width = cols.length + (acts ? 1 : 0);
    return html`<div class="card table-wrap"><table class="data" aria-label=${this.tableLabel ?? this.pageTitle}>
      <thead><tr>${cols.map((c) => html`<th>${c.label}</th>`)}${acts ? html`<th><span class="visually-hidden">Actions</span></th>` : nothing}</tr></thead>
      <tbody>${!list ? html`<tr><td colspan=${width} class="muted">Loading…</td></tr>`
        : !list.length ? html`<tr><td colspan=${width} class="muted">${this.emptyText()}</td></tr>`
        : list.map((item) => html`<tr>${cols.map((c) => html`<td class=${c.class ?? ''}>${c.cell(item)}</td>`)}${acts ? html`<td class="actions">${this.rowActions(item)}</td>` : nothing}</tr>`)}</tbody>
    </table></div>`;
  }

  override render() {
    return html`${this.renderHead(this.pageTitle, this.headActions())}${this.renderIntro()}${this.renderTable()}${this.renderDialog()}`;
  }
}
