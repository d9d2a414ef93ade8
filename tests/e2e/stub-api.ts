// A stand-in for the API at the browser's network boundary (page.route), for the UI's own
// behaviour and load figures at sizes and timings the simulator would make slow to set up:
// generated guests, paged and filtered like /resources/list, guest status and actions that
// produce a task which ends. Every request the page makes is recorded.
import type { Page, Request } from 'playwright-core';

export interface StubOptions {
  guests: number;
  /** The session's grants, as GET /access/permissions returns them. */
  permissions?: Record<string, Record<string, number>>;
}

export interface StubApi {
  requests: { method: string; path: string; headers: Record<string, string>; body: unknown }[];
}

export function generatedGuests(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    remote: `pve${i % 10}`, 'remote-type': 'pve', id: `qemu/${100 + i}`, type: i % 7 ? 'qemu' : 'lxc', vmid: 100 + i,
    name: `guest-${i}`, node: `node${i % 50}`, status: i % 9 ? 'running' : 'stopped', cpu: (i % 100) / 100, maxcpu: 4,
    mem: (i % 37) * 1e8, maxmem: 4e9, disk: 1e9, maxdisk: 3e10, uptime: i * 37,
  }));
}

/** Installs the stub and a logged-in session (user name and CSRF token in sessionStorage). */
export async function stubApi(page: Page, opts: StubOptions): Promise<StubApi> {
  const now = Math.floor(Date.now() / 1000);
  const resources = generatedGuests(opts.guests);
  const remotes = Array.from({ length: 10 }, (_, i) => ({ remote: `pve${i}`, type: 'pve', status: 'ok', 'last-success': now - 20, age: 20 }));
  const counts = (type: string) => {
    const rows = resources.filter((r) => r.type === type);
    return { total: rows.length, running: rows.filter((r) => r.status === 'running').length, stopped: rows.filter((r) => r.status === 'stopped').length };
  };
  const status = {
    remotes: { total: 10, ok: 10, degraded: 0, down: 0, unknown: 0, disabled: 0, list: remotes },
    qemu: counts('qemu'), lxc: counts('lxc'), nodes: { total: 50, online: 50 }, storages: {}, datastores: {}, 'failed-tasks': [],
  };
  const tasks = new Map<string, { polls: number; node: string }>();
  const stub: StubApi = { requests: [] };
  const bodyOf = (req: Request) => {
    try {
      return req.postDataJSON() as unknown;
    } catch {
      return undefined;
    }
  };
  await page.route('**/api2/json/**', async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const p = url.pathname.replace('/api2/json', '');
    stub.requests.push({ method: req.method(), path: p + url.search, headers: req.headers(), body: bodyOf(req) });
    const json = (data: unknown) => route.fulfill({ json: { data } });
    if (p === '/access/permissions') return json(opts.permissions ?? { '/': { audit: 1, manage: 1, admin: 1 } });
    if (p === '/resources/status') return json(status);
    if (p === '/resources/top-entities') return json({ 'guest-cpu': [], 'guest-mem': [], 'node-cpu': [], 'node-mem': [], storage: [] });
    if (p === '/remotes/tasks' || p === '/system/tasks') return json({ total: 0, tasks: [] });
    if (p === '/resources/backups') return json({ summary: { remotes: 0, refreshed: 0, 'not-backed-up': 0, 'failed-jobs': 0, errors: 0 }, remotes: [] });
    if (p === '/remotes') return json([]);
    if (p === '/resources/privileges') {
      const perms = opts.permissions ?? { '/': { audit: 1, manage: 1, admin: 1 } };
      const held = perms[`/remotes/${url.searchParams.get('remote')}`] ?? perms['/remotes'] ?? perms['/'] ?? {};
      return json({ audit: Boolean(held.audit), manage: Boolean(held.manage), admin: Boolean(held.admin) });
    }
    if (p === '/resources/list') {
      const q = (url.searchParams.get('search') ?? '').replace(/^name:/, '');
      const rows = q ? resources.filter((r) => r.name.includes(q)) : resources;
      const start = Number(url.searchParams.get('start') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      return json({ total: rows.length, resources: rows.slice(start, start + limit), remotes });
    }
    const guest = /^\/pve\/remotes\/([^/]+)\/(qemu|lxc)\/(\d+)\/(\w+)$/.exec(p);
    if (guest) {
      const [, remote, , vmid, what] = guest;
      const r = resources.find((x) => x.vmid === Number(vmid))!;
      if (what === 'status') return json({ status: r.status, name: r.name, node: r.node, cpu: r.cpu, cpus: 4, mem: r.mem, maxmem: r.maxmem, maxdisk: r.maxdisk, uptime: r.uptime });
      if (what === 'config') return json({ name: r.name, cores: 4, memory: 4096 });
      if (what === 'rrddata') return json(Array.from({ length: 60 }, (_, i) => ({ time: now - (60 - i) * 60, cpu: 0.2, mem: 1e9, maxmem: 4e9, netin: 1000, netout: 500 })));
      if (req.method() === 'POST') {
        const upid = `${remote}!UPID:${r.node}:00001234:00ABCDEF:${now.toString(16).toUpperCase()}:qm${what}:${vmid}:root@pam:`;
        tasks.set(upid, { polls: 0, node: r.node });
        if (what === 'start') r.status = 'running';
        if (what === 'stop' || what === 'shutdown') r.status = 'stopped';
        return json(upid);
      }
    }
    const task = /^\/pve\/remotes\/[^/]+\/tasks\/([^/]+)\/(status|log)$/.exec(p);
    if (task) {
      const t = tasks.get(decodeURIComponent(task[1]!));
      if (!t) return route.fulfill({ status: 404, json: { data: null, code: 'not_found', message: 'no such task' } });
      if (task[2] === 'status') {
        t.polls++;
        return json(t.polls < 3 ? { status: 'running' } : { status: 'stopped', exitstatus: 'OK' });
      }
      const start = Number(url.searchParams.get('start') ?? 0);
      const lines = ['starting guest', ...(t.polls >= 3 ? ['TASK OK'] : [])].map((l, n) => ({ n, t: l }));
      return json(lines.filter((l) => l.n >= start));
    }
    return route.fulfill({ status: 404, json: { data: null, code: 'not_found', message: `not stubbed: ${p}` } });
  });
  await page.goto('/not-a-page');
  await page.evaluate(() => sessionStorage.setItem('steward.session', JSON.stringify({ username: 'stub@steward', csrf: 'csrf-token-1' })));
  return stub;
}
