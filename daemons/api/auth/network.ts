// Network-level checks: CIDR sets (IPv4 and IPv6) for the allowlist and trusted proxies,
// and the real client address behind trusted reverse proxies (X-Forwarded-For).
import { BlockList, isIP } from 'node:net';

export interface Cidr { address: string; prefix: number; family: 'ipv4' | 'ipv6' }

/** `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128). Canonical text out, or null. */
export function parseCidr(text: string): Cidr | null {
  if (text.length > 64) return null;
  const [address = '', prefixText, ...rest] = text.trim().split('/');
  if (rest.length) return null;
  const v = isIP(address);
  if (v === 0) return null;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  const max = v === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address: address.toLowerCase(), prefix, family };
}

export const cidrText = (c: Cidr) => `${c.address}/${c.prefix}`;

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is treated as the IPv4 address it carries. */
export function normaliseIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

export class CidrSet {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(cidrs: readonly string[]) {
    let n = 0;
    for (const text of cidrs) {
      const c = parseCidr(text);
      if (!c) throw new Error(`not an address or CIDR: ${text}`);
      this.list.addSubnet(c.address, c.prefix, c.family);
      n++;
    }
    this.size = n;
  }

  has(ip: string): boolean {
    const a = normaliseIp(ip);
    const v = isIP(a);
    if (v === 0) return false;
    return this.list.check(a, v === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * The client address. Only when the peer is a trusted proxy is X-Forwarded-For read: from
 * the right, skipping further trusted proxies; the first untrusted hop is the client.
 */
export function clientAddress(peer: string, forwardedFor: string | undefined, trusted: CidrSet): string {
  const peerIp = normaliseIp(peer);
  if (trusted.size === 0 || !forwardedFor || !trusted.has(peerIp)) return peerIp;
  const hops = forwardedFor.slice(0, 2048).split(',').map((h) => normaliseIp(h.trim()));
  let client = peerIp;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break;
    client = hop;
    if (!trusted.has(hop)) break;
  }
  return client;
}
