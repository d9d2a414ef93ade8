// /system routes in process, talking to a real privd RPC server over a UNIX socket whose
// programs (apt-get) are fixture scripts; the certificate upload writes real files.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, testDeps } from '../../../tests/fixtures/api-deps.ts';
import type { TestDeps } from '../../../tests/fixtures/api-deps.ts';
import { attachPrivd } from '../../../tests/fixtures/privd-for-app.ts';
import type { AttachedPrivd } from '../../../tests/fixtures/privd-for-app.ts';
import { parseConfig } from '../../common/config.ts';
import { selfSignedCertificate } from '../../common/certificate.ts';
import { createApp } from '../app.ts';

describe('/system', () => {
  let t: TestDeps;
  let app: ReturnType<typeof createApp>;
  let privd: AttachedPrivd;
  before(async () => {
    t = await testDeps();
    const aptGet = join(t.dir, 'apt-get');
    writeFileSync(aptGet, '#!/bin/sh\necho "Inst libssl3 [3.0.15-1~deb12u1] (3.0.16-1~deb12u1 Debian-Security:12/stable-security [amd64])"\n');
    chmodSync(aptGet, 0o755);
    const config = parseConfig('', 'test', { APT_GET: aptGet, SYSTEMCTL: '/bin/true', CERT_FILE: join(t.dir, 'api.pem'), KEY_FILE: join(t.dir, 'api.key') });
    const first = selfSignedCertificate({ hostname: 'first.example.test' });
    writeFileSync(config.CERT_FILE, first.cert);
    privd = await attachPrivd(t, config);
    t.grants.set('auditor@steward', [{ path: '/system', role: 'Audit' }]);
    app = createApp(t.deps);
  });
  after(async () => {
    privd.close();
    await t.close();
  });

  test('updates are listed through privd, audited, and only for Admin on /system', async () => {
    const r = await call(app, 'root@steward', 'GET', '/system/updates');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.data.packages[0], { package: 'libssl3', current: '3.0.15-1~deb12u1', candidate: '3.0.16-1~deb12u1', origin: 'Debian-Security:12/stable-security', arch: 'amd64', security: true });
    assert.ok(t.audits.some((a) => a.action === 'system.updates.list' && a.result === 'ok'));
    assert.equal((await call(app, 'auditor@steward', 'GET', '/system/updates')).status, 403);
    assert.equal((await call(app, null, 'GET', '/system/updates')).status, 401);
  });

  test('certificate upload: validated in the API, installed by privd, shown by GET', async () => {
    const pair = selfSignedCertificate({ hostname: 'steward.example.test' });
    const bad = await call(app, 'root@steward', 'POST', '/system/certificates', { certificates: pair.cert, key: selfSignedCertificate().key });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'validation');
    assert.ok(bad.body.errors?.key);
    const ok = await call(app, 'root@steward', 'POST', '/system/certificates', { certificates: pair.cert, key: pair.key });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.data.api, 'reloaded');
    assert.match(ok.body.data.warnings.join(), /does not cover/, 'the host name is not in the certificate');
    assert.equal(readFileSync(t.deps.config.CERT_FILE, 'utf8'), pair.cert);
    const shown = await call(app, 'auditor@steward', 'GET', '/system/certificates');
    assert.equal(shown.body.data.fingerprint, ok.body.data.fingerprint);
    assert.ok(shown.body.data.san.includes('steward.example.test'));
    assert.equal((await call(app, 'auditor@steward', 'POST', '/system/certificates', { certificates: pair.cert, key: pair.key })).status, 403);
  });

  test('bad inputs are 400 with the field named', async () => {
    const r = await call(app, 'root@steward', 'GET', '/system/updates/changelog?package=--help');
    assert.equal(r.status, 400);
    assert.ok(r.body.errors?.package);
    const j = await call(app, 'root@steward', 'GET', '/system/journal?unit=ssh.service');
    assert.equal(j.status, 400);
    const c = await call(app, 'root@steward', 'PUT', '/system/config', { 'listen-address': 'not-an-ip' });
    assert.equal(c.status, 400);
  });
});
