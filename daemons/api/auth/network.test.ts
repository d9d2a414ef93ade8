import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CidrSet, clientAddress, parseCidr } from './network.ts';

test('CIDRs: IPv4 and IPv6, bare addresses, bad input refused', () => {
  assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
  assert.deepEqual(parseCidr('2001:DB8::/32'), { address: '2001:db8::', prefix: 32, family: 'ipv6' });
  assert.equal(parseCidr('192.0.2.7')?.prefix, 32);
  assert.equal(parseCidr('::1')?.prefix, 128);
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0/8', '10.0.0.0/8/1', 'host.example', '', '10.0.0.0/-1', '10.0.0.0/ 8', '300.1.1.1']) assert.equal(parseCidr(bad), null, bad);
});

test('allowlist membership at the edges of a range', () => {
  const s = new CidrSet(['192.0.2.0/24', '2001:db8::/48', '198.51.100.7']);
  for (const ok of ['192.0.2.0', '192.0.2.255', '2001:db8::1', '2001:db8:0:ffff:ffff:ffff:ffff:ffff', '198.51.100.7', '::ffff:192.0.2.9']) assert.ok(s.has(ok), ok);
  for (const no of ['192.0.3.0', '192.0.1.255', '2001:db8:1::1', '198.51.100.8', 'garbage', '', '::1']) assert.ok(!s.has(no), no);
  assert.ok(new CidrSet(['0.0.0.0/0']).has('203.0.113.1'));
  assert.ok(!new CidrSet(['0.0.0.0/0']).has('2001:db8::1'), 'an IPv4 range says nothing about IPv6');
  assert.ok(new CidrSet(['::/0']).has('2001:db8::1'));
});

test('X-Forwarded-For is read only from trusted proxies, from the right', () => {
  const trusted = new CidrSet(['10.0.0.0/8', 'fd00::/8']);
  assert.equal(clientAddress('203.0.113.5', '1.2.3.4', trusted), '203.0.113.5', 'untrusted peer: header ignored');
  assert.equal(clientAddress('10.0.0.2', '198.51.100.9', trusted), '198.51.100.9');
  assert.equal(clientAddress('10.0.0.2', '6.6.6.6, 198.51.100.9, 10.0.0.3', trusted), '198.51.100.9', 'a forged left part is not believed');
  assert.equal(clientAddress('fd00::2', '2001:db8::7', trusted), '2001:db8::7');
  assert.equal(clientAddress('10.0.0.2', 'garbage', trusted), '10.0.0.2');
  assert.equal(clientAddress('::ffff:10.0.0.2', '198.51.100.9', trusted), '198.51.100.9');
  assert.equal(clientAddress('10.0.0.2', '198.51.100.9', new CidrSet([])), '10.0.0.2', 'no trusted proxies: header ignored');
});
