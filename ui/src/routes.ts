// Every page of the UI: path pattern, element, title, and the lazy import that defines it.
// The dashboard ships in the main bundle (it is the first thing shown); the rest are chunks.
import type { RouteDef } from './lib/router.ts';
import './views/st-view-dashboard.ts';

export const ROUTES: readonly RouteDef[] = [
  { pattern: '/', tag: 'st-view-dashboard', title: 'Dashboard' },
  { pattern: '/resources', tag: 'st-view-resources', title: 'Resources', load: () => import('./views/st-view-resources.ts') },
  { pattern: '/tasks', tag: 'st-view-tasks', title: 'Tasks', load: () => import('./views/st-view-tasks.ts') },
  { pattern: '/backups', tag: 'st-view-backups', title: 'Backups', load: () => import('./views/st-view-backups.ts') },
  { pattern: '/remotes/:remote', tag: 'st-view-remote', title: 'Remote', load: () => import('./views/st-view-remote.ts') },
  { pattern: '/remotes/:remote/nodes/:node', tag: 'st-view-node', title: 'Node', load: () => import('./views/st-view-node.ts') },
  { pattern: '/remotes/:remote/nodes/:node/storage/:storage', tag: 'st-view-storage', title: 'Storage', load: () => import('./views/st-view-storage.ts') },
  { pattern: '/remotes/:remote/datastore/:store', tag: 'st-view-datastore', title: 'Datastore', load: () => import('./views/st-view-datastore.ts') },
  { pattern: '/remotes/:remote/:type/:vmid', tag: 'st-view-guest', title: 'Guest', load: () => import('./views/st-view-guest.ts') },
  { pattern: '/admin/remotes', tag: 'st-view-remotes', title: 'Remotes', load: () => import('./views/admin/st-view-remotes.ts') },
  { pattern: '/admin/views', tag: 'st-view-views', title: 'Views', load: () => import('./views/admin/st-view-views.ts') },
  { pattern: '/admin/tfa', tag: 'st-view-tfa', title: 'Two-factor authentication', load: () => import('./views/admin/st-view-tfa.ts') },
  { pattern: '/admin/tokens', tag: 'st-view-tokens', title: 'API tokens', load: () => import('./views/admin/st-view-tokens.ts') },
  { pattern: '/admin/users', tag: 'st-view-users', title: 'Users', load: () => import('./views/admin/st-view-users.ts') },
  { pattern: '/admin/password', tag: 'st-view-password', title: 'Change password', load: () => import('./views/admin/st-view-password.ts') },
  { pattern: '/admin/audit', tag: 'st-view-audit', title: 'Audit log', load: () => import('./views/admin/st-view-audit.ts') },
  { pattern: '/admin/system', tag: 'st-view-system', title: 'This host', load: () => import('./views/admin/st-view-system.ts') },
  { pattern: '/admin/journal', tag: 'st-view-journal', title: 'Journal', load: () => import('./views/admin/st-view-journal.ts') },
  { pattern: '/admin/acme', tag: 'st-view-acme', title: 'ACME certificates', load: () => import('./views/admin/st-view-acme.ts') },
  { pattern: '/admin/acl', tag: 'st-view-acl', title: 'Permissions', load: () => import('./views/admin/st-view-acl.ts') },
  { pattern: '/admin/groups', tag: 'st-view-groups', title: 'Groups', load: () => import('./views/admin/st-view-groups.ts') },
  { pattern: '/admin/allowlist', tag: 'st-view-allowlist', title: 'IP allowlist', load: () => import('./views/admin/st-view-allowlist.ts') },
];
