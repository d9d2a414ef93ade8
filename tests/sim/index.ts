// The Proxmox simulator as a library: `startSim` builds a scenario's state, starts one HTTPS
// server per simulated node (loopback, port 0, own certificate) and a plain-HTTP control
// endpoint for faults, and returns what a test needs to add each remote to Steward.
import http from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { Fault, FaultTarget, SimCredential, SimNodeStats, SimRemote, SimRequest } from './types.ts';
import type { ScenarioSpec } from './scenario.ts';
import { FaultSpec, loadScenarioFile, parseScenario } from './scenario.ts';
import { DEFAULT_SCALE, scaleScenario } from './scenarios/scale.ts';
import type { ScaleParams } from './scenarios/scale.ts';
import { buildWorld, findNode } from './state.ts';
import type { NodeState, World } from './state.ts';
import { Router } from './router.ts';
import type { Observed } from './router.ts';
import { ROUTES } from './routes.ts';
import { NodeServer } from './server.ts';
import { nodeCertificate } from './certs.ts';
import type { NodeCertificate } from './certs.ts';

export type { Fault, FaultTarget, SimCredential, SimNode, SimNodeStats, SimRemote, SimRequest, Product } from './types.ts';
export type { ScenarioSpec } from './scenario.ts';
export type { Observed } from './router.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEMO_SCENARIO_FILE = join(HERE, 'scenarios', 'demo.json');

export interface SimOptions {
  scenario: 'demo' | 'scale' | ScenarioSpec;
  scale?: ScaleParams;
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
  /**
   * `port` (default): every node on `host`, each on its own port. `address`: like a real
   * cluster, every node of a remote on the same port, each on its own loopback address
   * (127.1.R.N) — so cluster discovery from /cluster/status (`ip` + the port the admin used)
   * finds the other nodes, as the add-remote wizard does with real PVE.
   */
  addressing?: 'port' | 'address';
  seed?: number;
  /** Added to every answer, ms. */
  latencyMs?: number;
  /** Task durations are divided by this: 1 = realistic (a start takes 3 s), tests use 50–1000. */
  taskSpeed?: number;
  /** Proxmox delays failed authentication by 3 s; default 0 here so tests stay fast. */
  authFailureDelayMs?: number;
  /** Keeps ports, certificates and secrets across restarts (the demo's Steward pinned them). */
  stateFile?: string;
  /** Called with every answer checked against the schema extract (the conformance tests use it). */
  observe?: (o: Observed) => void;
  /** A clock for the simulated world (tests that move time); default Date.now. */
  now?: () => number;
  /** Keep every request received in `sim.requests` (tests that prove what was or was not sent). */
  recordRequests?: boolean;
}

export interface Sim {
  remotes: SimRemote[];
  controlUrl: string;
  setFault(target: FaultTarget, fault: Fault | null): void;
  close(): Promise<void>;
  /** The state behind the API, for tests that inspect or arrange it directly. */
  world: World;
  /** Resolves once every node server reflects the latest setFault (down/up, certificate). */
  settled(): Promise<void>;
  /** Requests answered so far, all nodes. */
  requestCount(): number;
  /** Every request received, oldest first, when started with `recordRequests` (tests may clear it). */
  requests: SimRequest[];
  /** Connections, requests and peak concurrency of one node (live figures). */
  stats(target: Required<FaultTarget>): SimNodeStats;
  /** Starts measuring peak concurrency afresh on every node. */
  resetStats(): void;
  /**
   * Closes the node's idle keep-alive connections now, as pveproxy does when it restarts its
   * workers: a client that sends on one before it noticed gets its request cut off unread.
   */
  closeIdleConnections(target: Required<FaultTarget>): void;
}

interface Identity {
  nodes: Record<string, { port: number; key: string; cert: string; fingerprint: string }>;
  secrets: Record<string, string>;
}

function loadIdentity(file: string | undefined): Identity | null {
  if (!file || !existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Identity;
  } catch {
    return null;
  }
}

function credentials(world: World, remoteId: string): SimCredential[] {
  const r = world.remote(remoteId)!;
  return r.principals.map((p) => {
    const limited = p.limited ? { limited: p.limited } : {};
    return p.kind === 'token' ? { name: p.name, kind: 'token', tokenid: p.authid, secret: p.secret, ...limited } : { name: p.name, kind: 'password', username: p.authid, password: p.secret, ...limited };
  });
}

export async function startSim(opts: SimOptions): Promise<Sim> {
  const host = opts.host ?? '127.0.0.1';
  const scenario = opts.scenario === 'demo' ? loadScenarioFile(DEMO_SCENARIO_FILE) : opts.scenario === 'scale' ? parseScenario(scaleScenario(opts.scale ?? DEFAULT_SCALE)) : parseScenario(opts.scenario);
  const world = buildWorld(scenario, {
    taskSpeed: opts.taskSpeed ?? 1,
    latencyMs: opts.latencyMs ?? 0,
    authFailureDelayMs: opts.authFailureDelayMs ?? 0,
    seed: opts.seed ?? 1,
    ...(opts.now ? { now: opts.now } : {}),
  });
  const identity = loadIdentity(opts.stateFile);
  if (identity) {
    for (const r of world.remotes.values()) for (const p of r.principals) if (identity.secrets[`${r.id}/${p.name}`]) p.secret = identity.secrets[`${r.id}/${p.name}`]!;
  }
  const routers = { pve: new Router('pve', ROUTES.pve), pbs: new Router('pbs', ROUTES.pbs) };
  if (opts.observe) for (const r of Object.values(routers)) r.observer = opts.observe;

  const servers = new Map<NodeState, NodeServer>();
  const requests: SimRequest[] = [];
  const record = opts.recordRequests ? (r: SimRequest) => void requests.push(r) : undefined;
  const starts: Promise<void>[] = [];
  let remoteIndex = 0;
  for (const r of world.remotes.values()) {
    const index = remoteIndex++;
    const hostOf = (i: number) => (opts.addressing === 'address' ? `127.1.${index % 256}.${i + 1}` : host);
    for (const [i, n] of r.nodes.entries()) {
      const saved = identity?.nodes[`${r.id}/${n.name}`];
      n.cert = saved ? ({ key: saved.key, cert: saved.cert, fingerprint: saved.fingerprint } satisfies NodeCertificate) : nodeCertificate(n.name, [hostOf(i)]);
      servers.set(n, new NodeServer(world, routers[r.type], n, record));
    }
    const group = r.nodes.map((n) => servers.get(n)!);
    if (opts.addressing === 'address') starts.push(startOnOnePort(group, hostOf, identity?.nodes[`${r.id}/${r.nodes[0]!.name}`]?.port ?? 0));
    else for (const s of group) starts.push(s.start(host, identity?.nodes[`${s.node.remote.id}/${s.node.name}`]?.port ?? 0));
  }
  await Promise.all(starts);

  if (opts.stateFile) {
    const out: Identity = { nodes: {}, secrets: {} };
    for (const r of world.remotes.values()) {
      for (const n of r.nodes) out.nodes[`${r.id}/${n.name}`] = { port: n.port, key: n.cert.key, cert: n.cert.cert, fingerprint: n.cert.fingerprint };
      for (const p of r.principals) out.secrets[`${r.id}/${p.name}`] = p.secret;
    }
    writeFileSync(opts.stateFile, JSON.stringify(out, null, 1), { mode: 0o600 });
  }

  let pending: Promise<void> = Promise.resolve();
  const nodeOf = (target: Required<FaultTarget>): NodeState => {
    const n = world.remote(target.remote) && findNode(world.remote(target.remote)!, target.node);
    if (!n) throw new Error(`no node '${target.node}' in remote '${target.remote}'`);
    return n;
  };

  const setFault = (target: FaultTarget, given: Fault | null) => {
    // A copy: a transient fault counts its answers down in place.
    const fault = given ? { ...given } : null;
    const r = world.remote(target.remote);
    if (!r) throw new Error(`no remote '${target.remote}'`);
    let nodes: NodeState[];
    if (target.node) {
      const n = findNode(r, target.node);
      if (!n) throw new Error(`remote '${target.remote}' has no node '${target.node}'`);
      n.fault = fault;
      n.faultSince = world.now();
      nodes = [n];
    } else {
      r.fault = fault;
      r.faultSince = world.now();
      // A remote-wide fault replaces the nodes' own.
      for (const n of r.nodes) n.fault = null;
      nodes = r.nodes;
    }
    pending = pending.then(() => Promise.all(nodes.map((n) => servers.get(n)!.applyFault()))).then(() => undefined);
  };

  const remotes = (): SimRemote[] =>
    [...world.remotes.values()].map((r) => ({
      id: r.id,
      type: r.type,
      nodes: r.nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, fingerprint: n.cert.fingerprint })),
      credentials: credentials(world, r.id),
      preAdded: r.preAdded,
    }));

  const control = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const reply = (status: number, data: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data }));
      };
      try {
        if (req.method === 'GET' && req.url === '/remotes') return reply(200, remotes());
        if (req.method === 'GET' && req.url === '/faults') {
          return reply(200, [...world.remotes.values()].flatMap((r) => [...(r.fault ? [{ remote: r.id, fault: r.fault }] : []), ...r.nodes.filter((n) => n.fault).map((n) => ({ remote: r.id, node: n.name, fault: n.fault }))]));
        }
        if (req.method === 'POST' && req.url === '/fault') {
          const body = ControlFault.parse(JSON.parse(text || '{}'));
          setFault({ remote: body.remote, ...(body.node ? { node: body.node } : {}) }, body.fault);
          return void pending.then(() => reply(200, null));
        }
        reply(404, null);
      } catch (err) {
        reply(400, { error: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  await new Promise<void>((resolve) => control.listen(0, host, () => resolve()));
  const controlUrl = `http://${host}:${(control.address() as AddressInfo).port}`;

  return {
    get remotes() {
      return remotes();
    },
    controlUrl,
    setFault,
    world,
    settled: () => pending,
    requestCount: () => [...servers.values()].reduce((a, s) => a + s.stats.requests, 0),
    requests,
    stats: (target) => servers.get(nodeOf(target))!.stats,
    closeIdleConnections: (target) => servers.get(nodeOf(target))!.closeIdleConnections(),
    resetStats: () => {
      for (const s of servers.values()) s.resetStats();
    },
    close: async () => {
      await pending;
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}

/** A cluster's nodes on one port, each on its own address; another port if one is taken there. */
async function startOnOnePort(group: NodeServer[], hostOf: (i: number) => string, wanted: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await group[0]!.start(hostOf(0), attempt === 0 ? wanted : 0);
    const port = group[0]!.port;
    try {
      for (const [i, s] of group.entries()) if (i > 0) await s.start(hostOf(i), port, false);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await Promise.all(group.map((s) => s.unbind()));
    }
  }
}

const ControlFault = z.strictObject({ remote: z.string().max(64), node: z.string().max(63).optional(), fault: FaultSpec.nullable() });
