// Light/dark: follows the system unless the user picked one (kept in localStorage).
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'steward.theme';

export function themeChoice(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function applyTheme(choice: ThemeChoice = themeChoice()): void {
  if (choice === 'system') {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, choice);
    document.documentElement.dataset.theme = choice;
  }
}

/** The theme in effect now (for the toggle's icon). */
export function effectiveTheme(): 'light' | 'dark' {
  const c = themeChoice();
  if (c !== 'system') return c;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** The toggle flips between light and dark; choosing what the system says returns to 'system'. */
export function toggleTheme(): void {
  const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
  const system = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  applyTheme(next === system ? 'system' : next);
}
