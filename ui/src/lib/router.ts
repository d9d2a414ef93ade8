// A tiny history-API router (written here rather than a dependency: the app needs path
// patterns with parameters, lazy view loading and link interception — about 80 lines).
// The API daemon answers every non-API GET with index.html, so deep links work on reload.

export interface RouteDef {
  /** '/guests/:remote/:type/:vmid' — segments starting with ':' are parameters. */
  pattern: string;
  /** The custom element that renders the view. */
  tag: string;
  title: string;
  /** Loads the module defining `tag` (dynamic import, so each view can be its own chunk). */
  load?: () => Promise<unknown>;
}

export interface RouteMatch {
  route: RouteDef;
  params: Record<string, string>;
  query: URLSearchParams;
}

export function matchRoute(routes: readonly RouteDef[], pathname: string, search = ''): RouteMatch | undefined {
  const parts = pathname.split('/').filter(Boolean);
  for (const route of routes) {
    const pat = route.pattern.split('/').filter(Boolean);
    if (pat.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pat.length && ok; i++) {
      const p = pat[i]!;
      const v = parts[i]!;
      if (p.startsWith(':')) {
        try {
          params[p.slice(1)] = decodeURIComponent(v);
        } catch {
          ok = false;
        }
      } else ok = p === v;
    }
    if (ok) return { route, params, query: new URLSearchParams(search) };
  }
  return undefined;
}

type Listener = (url: URL) => void;
const listeners = new Set<Listener>();

export function onNavigate(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(): void {
  const url = new URL(location.href);
  for (const fn of listeners) fn(url);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(to, location.href);
  if (url.origin !== location.origin) return;
  if (url.href === location.href) return emit();
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  emit();
}

/** Updates the query string without a new history entry (filters, search terms). */
export function setQuery(params: Record<string, string | undefined>): void {
  const url = new URL(location.href);
  for (const [k, v] of Object.entries(params)) {
    if (v) url.searchParams.set(k, v);
    else url.searchParams.delete(k);
  }
  history.replaceState(null, '', url);
}

/** Same-origin links anywhere (also inside shadow roots) navigate without a page load. */
export function interceptLinks(root: Document = document): void {
  window.addEventListener('popstate', emit);
  root.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!a || !a.href || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api2/')) return;
    ev.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
