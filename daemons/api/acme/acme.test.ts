// ACME against Debian's Pebble: the routes in process, a real privd RPC server (its http-01
// responder on a free port that Pebble validates against, and cert.install writing real
// files), pebble-challtestsrv as Pebble's DNS. Renewal runs with an injected clock.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import acme from 'acme-client';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { freePort, startPebble } from '../../../tests/harness/pebble.ts';
import type { Pebble } from '../../../tests/harness/pebble.ts';
import { parseConfig } from '../../common/config.ts';
import { selfSignedCertificate } from '../../common/certificate.ts';
import { Logger } from '../../common/log.ts';
import { HANDLERS } from '../../priv/methods/index.ts';
import { RpcServer } from '../../priv/rpc-server.ts';
import { createApp } from '../app.ts';
import { PrivdClient } from '../privd-client.ts';
import { AcmeService } from './acme-service.ts';
import { AcmeRenewal } from './renewal.ts';

const DOMAIN = 'steward.example.test';
const DAY = 86_400_000;

describe('ACME against Pebble', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let server: net.Server;
  let pebble: Pebble;
  let clock = Date.now();
  const root = (method: string, path: string, body?: unknown) => call(app, 'root@steward', method, path, body);
  const installed = () => new X509Certificate(readFileSync(t.deps.config.CERT_FILE, 'utf8'));
  const order = async (body: unknown = {}) => {
    const r = await root('POST', '/system/acme/order', body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.state, 'running');
    await t.deps.acme!.wait();
    return (await root('GET', '/system/acme/order')).body.data;
  };
  /** Runs `check` against the next process: a new service over the same store, recovered as main.ts does. */
  const restarted = async (check: (next: AcmeService) => Promise<void>) => {
    const old = t.deps.acme!;
    const next = new AcmeService(t.deps, { now: () => clock });
    t.deps.acme = next;
    try {
      await next.recover();
      await check(next);
    } finally {
      t.deps.acme = old;
    }
  };

  before(async () => {
    const httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    await pebble.addA(DOMAIN);
    acme.axios.defaults.httpsAgent = new https.Agent({ ca: pebble.listenerCa });
    t = await testDeps();
    // The dns-01 hook: a node script publishing the TXT record in challtestsrv.
    const hook = join(t.dir, 'dns-hook');
    writeFileSync(hook, `#!${process.execPath}
const [action, , name, value] = process.argv.slice(2);
const path = action === 'add' ? '/set-txt' : '/clear-txt';
fetch('${pebble.dnsManagement}' + path, { method: 'POST', body: JSON.stringify({ host: name + '.', value }) })
  .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(2));
`, { mode: 0o755 });
    const config = parseConfig('', 'test', {
      ACME_DNS_HOOK: hook, ACME_HTTP_PORT: String(httpPort), SYSTEMCTL: '/bin/true',
      CERT_FILE: join(t.dir, 'api.pem'), KEY_FILE: join(t.dir, 'api.key'), DATA_DIR: t.deps.config.DATA_DIR,
    });
    writeFileSync(config.CERT_FILE, selfSignedCertificate({ hostname: DOMAIN }).cert);
    const rpc = new RpcServer(HANDLERS, new Logger(), { config, configFile: '/dev/null', apiGid: undefined, now: Date.now });
    const sock = join(t.dir, 'privd.sock');
    server = net.createServer((c) => rpc.serve(c));
    await new Promise<void>((r) => server.listen(sock, r));
    t.deps.privd = PrivdClient.forSocket(sock, new Logger(), 10_000);
    t.deps.config = config;
    t.deps.acme = new AcmeService(t.deps, { now: () => clock, backoff: { attempts: 20, minMs: 50, maxMs: 250 }, retry: { attempts: 0, delayS: 0 } });
    app = createApp(t.deps);
  });
  after(async () => {
    acme.axios.defaults.httpsAgent = undefined;
    t?.deps.privd.close();
    server?.close();
    await t?.close();
    await pebble?.stop();
  });

  test('an account needs the terms agreed; the key is never shown', async () => {
    const refused = await root('POST', '/system/acme/accounts', { name: 'pebble', directory: pebble.directory, contact: ['admin@example.test'] });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'acme_terms_not_agreed');
    assert.match(String(refused.body.message), /terms of service/);

    const ok = await root('POST', '/system/acme/accounts', { name: 'pebble', directory: pebble.directory, contact: ['admin@example.test'], 'tos-agreed': 1 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.match(ok.body.data.url, /^https:\/\/localhost:\d+\//);
    assert.equal(ok.body.data['tos-agreed'], true);
    const list = await root('GET', '/system/acme/accounts');
    assert.deepEqual(list.body.data.map((a: { name: string }) => a.name), ['pebble']);
    assert.doesNotMatch(JSON.stringify(list.body), /PRIVATE KEY|"key"/);
    assert.ok(t.audits.some((a) => a.action === 'system.acme.account.create' && a.result === 'ok'));
  });

  test('an unreachable directory is a clear error', async () => {
    const r = await root('POST', '/system/acme/accounts', { name: 'nowhere', directory: `https://127.0.0.1:${await freePort()}/dir`, contact: ['admin@example.test'], 'tos-agreed': 1 });
    assert.equal(r.status, 502);
    assert.equal(r.body.code, 'acme_directory_unreachable');
  });

  test('order: http-01 through privd, issued by Pebble, installed', async () => {
    const before = installed().fingerprint256;
    const s = await root('PUT', '/system/acme/settings', { account: 'pebble', domains: [DOMAIN], challenge: 'http-01' });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const job = await order();
    assert.equal(job.state, 'ok', JSON.stringify(job.log));
    const cert = installed();
    assert.notEqual(cert.fingerprint256, before);
    assert.equal(job.fingerprint, cert.fingerprint256);
    assert.match(cert.issuer, /Pebble/);
    assert.match(cert.subjectAltName ?? '', new RegExp(`DNS:${DOMAIN}`));
    assert.ok(job.log.some((l: { message: string }) => /validated/.test(l.message)));
  });

  test('order: dns-01 through the hook run by privd', async () => {
    const before = installed().fingerprint256;
    await root('PUT', '/system/acme/settings', { account: 'pebble', domains: ['dns.example.test'], challenge: 'dns-01' });
    const job = await order();
    assert.equal(job.state, 'ok', JSON.stringify(job.log));
    assert.notEqual(installed().fingerprint256, before);
    assert.match(installed().subjectAltName ?? '', /DNS:dns\.example\.test/);
    await root('PUT', '/system/acme/settings', { account: 'pebble', domains: [DOMAIN], challenge: 'http-01' });
  });

  test('renewal: nothing when far from expiry, a new certificate within 30 days of it', async () => {
    const renewal = new AcmeRenewal(t.deps.acme!, new Logger());
    const first = installed();
    clock = Date.now();
    assert.equal(await renewal.check(), 'not-due');
    clock = new Date(first.validTo).getTime() - 10 * DAY;
    assert.equal(await renewal.check(), 'renewed');
    assert.notEqual(installed().fingerprint256, first.fingerprint256);
    assert.equal(t.deps.acme!.job()?.trigger, 'renewal');
    clock = Date.now();
  });

  test('after a restart the last order (result and log) is still shown and the renewal schedule continues', async () => {
    const last = (await root('GET', '/system/acme/order')).body.data;
    assert.equal(last.trigger, 'renewal');
    const checked = (await root('GET', '/system/acme/renewal')).body.data;
    assert.equal(checked.outcome, 'renewed');
    assert.equal(typeof checked['last-check'], 'number');

    // The next process: a new service over the same store, as main.ts builds it.
    await restarted(async (next) => {
      const shown = (await root('GET', '/system/acme/order')).body.data;
      assert.deepEqual(shown, last, 'same job, state and log as before the restart');
      assert.equal(shown.state, 'ok');
      assert.ok(shown.log.some((l: { message: string }) => /installed/.test(l.message)));

      // The daily rhythm goes on: a check planned in 5 hours stays in 5 hours after a restart
      // (not a fresh day, nor at once); one already past runs a minute after start.
      const renewal = new AcmeRenewal(next, new Logger());
      await next.setRenewalState({ nextCheck: Math.floor(clock / 1000) + 5 * 3600 });
      const again = new AcmeRenewal(new AcmeService(t.deps, { now: () => clock }), new Logger());
      assert.ok(Math.abs(again.firstDelay() / 1000 - 5 * 3600) <= 1, String(again.firstDelay()));
      await next.setRenewalState({ nextCheck: Math.floor(clock / 1000) - 3600 });
      assert.equal(renewal.firstDelay(), 60_000);
      renewal.start();
      renewal.stop();
      assert.equal((await root('GET', '/system/acme/renewal')).body.data['next-check'], Math.floor(clock / 1000) + 60);
    });
  });

  test('an order cut off by a stop (job stored as running) reads as failed after the restart', async () => {
    const last = (await root('GET', '/system/acme/order')).body.data;
    await t.deps.store.collection('acme').put('job', { ...last, id: 'cut-off', state: 'running', finished: null });
    await restarted(async () => {
      const shown = (await root('GET', '/system/acme/order')).body.data;
      assert.equal(shown.id, 'cut-off');
      assert.equal(shown.state, 'error');
      assert.equal(shown.error.code, 'unavailable');
      assert.match(shown.error.message, /stopped while the order was running/);
      assert.equal((t.deps.store.collection('acme').get('job')?.value as { state: string }).state, 'error', 'stored as failed');
    });
  });

  test('a domain the CA cannot validate fails with a clear error; the old certificate stays', async () => {
    const kept = installed().fingerprint256;
    await root('PUT', '/system/acme/settings', { account: 'pebble', domains: ['unresolvable.example.test'], challenge: 'http-01' });
    const job = await order();
    assert.equal(job.state, 'error');
    assert.equal(job.error.code, 'acme_challenge_failed');
    assert.match(job.error.message, /unresolvable\.example\.test/);
    assert.equal(installed().fingerprint256, kept);
  });

  test('a domain outside the settings, or refused by the CA, is acme_domain_rejected', async () => {
    await root('PUT', '/system/acme/settings', { account: 'pebble', domains: [DOMAIN, pebble.blocked], challenge: 'http-01' });
    const outside = await root('POST', '/system/acme/order', { domains: ['other.example.test'] });
    assert.equal(outside.status, 400);
    assert.equal(outside.body.code, 'acme_domain_rejected');
    const job = await order({ domains: [pebble.blocked] });
    assert.equal(job.error?.code, 'acme_domain_rejected', JSON.stringify(job));
    const wildcard = await root('PUT', '/system/acme/settings', { account: 'pebble', domains: ['*.example.test'], challenge: 'http-01' });
    assert.equal(wildcard.body.code, 'acme_domain_rejected');
  });

  test('revoke the installed certificate', async () => {
    const r = await root('POST', '/system/acme/revoke', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.fingerprint, installed().fingerprint256);
    assert.equal((await root('POST', '/system/acme/revoke', {})).body.code, 'validation');
    assert.equal((await call(app, null, 'POST', '/system/acme/revoke', {})).status, 401);
  });
});
