// The simulator's public types: what tests and the demo code against (see index.ts).
export type Product = 'pve' | 'pbs';

export type Fault =
  | { kind: 'down' }
  | { kind: 'slow'; ms: number }
  | { kind: 'flapping'; periodMs?: number }
  /** `times`: the fault clears itself after that many answers (a transient error). */
  | { kind: 'http'; status: 500 | 502 | 503; times?: number }
  | { kind: 'truncated'; times?: number }
  | { kind: 'malformed'; times?: number }
  | { kind: 'expired-ticket' }
  | { kind: 'cert-changed' }
  | { kind: 'clock-skew'; seconds: number };

export interface FaultTarget {
  remote: string;
  /** A node of the remote; absent: every node of it. */
  node?: string;
}

export type SimCredential =
  | { name: string; kind: 'token'; tokenid: string; secret: string; limited?: string }
  | { name: string; kind: 'password'; username: string; password: string; limited?: string };

export interface SimNode {
  name: string;
  host: string;
  port: number;
  /** SHA-256, `AA:BB:…` upper case, as Proxmox shows it. */
  fingerprint: string;
}

export interface SimRemote {
  id: string;
  type: Product;
  nodes: SimNode[];
  credentials: SimCredential[];
  /** False for the one host the add-remote wizard is meant to add in the demo. */
  preAdded: boolean;
}

/** One request a simulated node received (recorded with `recordRequests`). */
export interface SimRequest {
  remote: string;
  node: string;
  method: string;
  /** Path with query string, as sent. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The request body as sent (form or JSON text). */
  body: string;
}

/** Per-node connection and concurrency figures. */
export interface SimNodeStats {
  /** TLS connections whose handshake completed. */
  connections: number;
  /** Requests answered. */
  requests: number;
  /** The most requests being answered at the same time since the last reset. */
  maxInFlight: number;
}
