// Styles shared by every component: form controls, buttons, cards, tables, badges.
// Colours come from the theme's custom properties (theme.css), so both themes follow.
import { css } from 'lit';

export const baseStyles = css`
  :host { box-sizing: border-box; color: var(--st-text); font: inherit; }
  *, *::before, *::after { box-sizing: inherit; }
  a { color: var(--st-accent); }
  h1, h2, h3 { margin: 0 0 0.75rem; font-weight: 600; line-height: 1.25; }
  h1 { font-size: 1.35rem; }
  h2 { font-size: 1.1rem; }
  h3 { font-size: 0.95rem; }
  :focus-visible { outline: 2px solid var(--st-focus); outline-offset: 2px; }
  .muted { color: var(--st-text-muted); }
  .mono { font-family: var(--st-mono); font-size: 0.9em; word-break: break-all; }

  button, .button {
    display: inline-flex; align-items: center; justify-content: center; gap: 0.35rem;
    min-height: 2.1rem; padding: 0.3rem 0.9rem; border-radius: var(--st-radius);
    border: 1px solid var(--st-border); background: var(--st-surface); color: var(--st-text);
    font: inherit; cursor: pointer; text-decoration: none; white-space: nowrap;
  }
  button:hover:not(:disabled) { background: var(--st-surface-2); }
  button:disabled { opacity: 0.55; cursor: default; }
  button.primary { background: var(--st-accent); border-color: var(--st-accent); color: var(--st-accent-text); font-weight: 600; }
  button.primary:hover:not(:disabled) { filter: brightness(1.08); background: var(--st-accent); }
  button.danger { color: var(--st-error); border-color: var(--st-error); }
  button.icon { min-height: 2rem; padding: 0.25rem 0.5rem; border-color: transparent; background: transparent; }
  button.icon:hover:not(:disabled) { background: var(--st-surface-2); }

  label { display: block; font-weight: 500; margin: 0.6rem 0 0.25rem; }
  input, select, textarea {
    width: 100%; min-height: 2.2rem; padding: 0.35rem 0.6rem; border-radius: var(--st-radius);
    border: 1px solid var(--st-border); background: var(--st-surface); color: var(--st-text); font: inherit;
  }
  input[type='checkbox'], input[type='radio'] { width: auto; min-height: 0; }
  input:focus, select:focus, textarea:focus { border-color: var(--st-accent); }
  .field-error { color: var(--st-error); font-size: 0.85rem; margin-top: 0.2rem; }

  .card { background: var(--st-surface); border: 1px solid var(--st-border); border-radius: var(--st-radius); padding: 1rem; }
  .row { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
  .spacer { flex: 1; }
  .error-box { background: var(--st-error-bg); color: var(--st-error); border-radius: var(--st-radius); padding: 0.6rem 0.8rem; margin: 0.5rem 0; }
  .ok-box { background: var(--st-ok-bg); color: var(--st-ok); border-radius: var(--st-radius); padding: 0.6rem 0.8rem; margin: 0.5rem 0; }

  table.data { width: 100%; border-collapse: collapse; }
  table.data th, table.data td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--st-border); vertical-align: middle; }
  table.data th { font-weight: 600; color: var(--st-text-muted); font-size: 0.85rem; }
  .table-wrap { overflow-x: auto; }

  .badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; background: var(--st-surface-2); color: var(--st-idle); }
  a.badge { text-decoration: none; }
  a.badge:hover { text-decoration: underline; }
  .badge.ok { background: var(--st-ok-bg); color: var(--st-ok); }
  .badge.warn { background: var(--st-warn-bg); color: var(--st-warn); }
  .badge.error { background: var(--st-error-bg); color: var(--st-error); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

/** Detail pages (guest, node, storage, datastore, remote): cards in a responsive grid, facts as a term/value list. */
export const detailStyles = css`
  :host { display: block; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(24rem, 100%), 1fr)); gap: 1rem; margin-top: 1rem; }
  .wide { grid-column: 1 / -1; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; margin: 0; }
  dt { color: var(--st-text-muted); }
  dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
`;

export const usageStyles = css`
  .usage { display: inline-flex; align-items: center; gap: 0.4rem; width: 100%; }
  .bar { flex: 1; height: 0.45rem; border-radius: 999px; background: var(--st-surface-2); overflow: hidden; min-width: 2.5rem; }
  .fill { display: block; height: 100%; background: var(--st-ok); }
  .fill.warn { background: var(--st-warn); }
  .fill.error { background: var(--st-error); }
  .pct { font-variant-numeric: tabular-nums; font-size: 0.85rem; min-width: 2.8rem; text-align: right; }
`;
