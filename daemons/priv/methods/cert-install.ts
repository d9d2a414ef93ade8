// cert.install: re-validates the chain and key (privd never trusts the API), writes both
// atomically — the key 0640 root:<api group> so the API can read but not change it, the
// chain 0644 — then makes steward-api reload them (SIGHUP → setSecureContext, no restart).
import { checkCertificate } from '../../common/cert-check.ts';
import { writeFileAtomic } from '../atomic-fs.ts';
import { signalApi } from '../api-control.ts';
import type { MethodHandler } from '../method.ts';

const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

export const certInstall: MethodHandler<'cert.install'> = async (params, { env, log }) => {
  const { info } = checkCertificate(params.certificates, params.key, { now: env.now() });
  const root = process.getuid?.() === 0;
  // Key first: a reload between the two writes would otherwise pair the new chain with the old key.
  await writeFileAtomic(env.config.KEY_FILE, withNewline(params.key), { mode: 0o640, ...(root ? { uid: 0, gid: env.apiGid ?? 0 } : {}) });
  await writeFileAtomic(env.config.CERT_FILE, withNewline(params.certificates), { mode: 0o644, ...(root ? { uid: 0, gid: 0 } : {}) });
  log.notice('certificate installed', { fingerprint: info.fingerprint, notAfter: new Date(info.notAfter * 1000).toISOString() });
  return { fingerprint: info.fingerprint, notAfter: info.notAfter, api: await signalApi(env, 'reload') };
};
