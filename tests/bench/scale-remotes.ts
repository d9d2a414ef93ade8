// Stand-in for the simulator's `scale` scenario until it lands: N PVE remotes on their own
// HTTPS ports in this (separate) process, each answering /cluster/resources with its nodes,
// guests and storages as pre-serialised JSON, optionally after a fixed latency.
// argv: remotes guestsPerRemote latencyMs; prints one JSON line {ports, fingerprint}.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fingerprintOfPem, selfSignedCertificate } from '../../daemons/common/certificate.ts';

const [remotes, guests, latency] = process.argv.slice(2).map(Number) as [number, number, number];
const cert = selfSignedCertificate({ hostname: 'scale' });
const NODES = 4;

function resources(r: number): string {
  const items: unknown[] = [];
  for (let n = 1; n <= NODES; n++) {
    items.push({ id: `node/n${n}`, type: 'node', node: `n${n}`, status: 'online', cpu: 0.3, maxcpu: 64, mem: 200e9, maxmem: 512e9, uptime: 1e6, level: 'c' });
    items.push({ id: `storage/n${n}/local`, type: 'storage', storage: 'local', node: `n${n}`, status: 'available', disk: 5e11, maxdisk: 1e12, shared: 0, plugintype: 'dir', content: 'images,rootdir' });
  }
  for (let g = 0; g < guests; g++) {
    const vmid = 100 + g;
    const lxc = g % 5 === 0;
    items.push({
      id: `${lxc ? 'lxc' : 'qemu'}/${vmid}`, type: lxc ? 'lxc' : 'qemu', vmid, name: `r${r}-${lxc ? 'ct' : 'vm'}-${g}`, node: `n${(g % NODES) + 1}`,
      status: g % 7 === 0 ? 'stopped' : 'running', cpu: (g % 100) / 100, maxcpu: 4, mem: (g % 16) * 2 ** 28, maxmem: 2 ** 32, disk: 0, maxdisk: 2 ** 35,
      uptime: g * 100, netin: g * 1000, netout: g * 2000, diskread: g, diskwrite: g, template: 0, tags: g % 3 === 0 ? 'prod;web' : 'dev',
    });
  }
  return JSON.stringify({ data: items });
}

const ports: number[] = [];
for (let r = 0; r < remotes; r++) {
  const body = resources(r);
  const tasks = JSON.stringify({ data: [] });
  const server = createServer({ key: cert.key, cert: cert.cert, keepAlive: true }, (req, res) => {
    const send = () => {
      const text = req.url === '/api2/json/cluster/resources' ? body : req.url === '/api2/json/cluster/tasks' ? tasks : JSON.stringify({ data: [] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (latency) setTimeout(send, latency);
    else send();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  ports.push((server.address() as AddressInfo).port);
}
process.stdout.write(JSON.stringify({ ports, fingerprint: fingerprintOfPem(cert.cert) }) + '\n');
