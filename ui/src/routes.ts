// Every page of the UI: path pattern, element, title, and the lazy import that defines it.
// The dashboard ships in the main bundle (it is the first thing shown); the rest are chunks.
import type { RouteDef } from './lib/router.ts';
import './views/st-view-dashboard.ts';

export const ROUTES: readonly RouteDef[] = [
  { pattern: '/', tag: 'st-view-dashboard', title: 'Dashboard' },
];
