// TLS certificate helpers: a self-signed certificate for first start (node-forge, RSA 2048,
// SANs for the host name, FQDN and loopback), and the SHA-256 fingerprint in Proxmox's form.
import { X509Certificate, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import os from 'node:os';
import forge from 'node-forge';

export interface KeyAndCert {
  key: string;
  cert: string;
}

export function selfSignedCertificate(opts: { hostname?: string; altNames?: string[]; days?: number } = {}): KeyAndCert {
  const hostname = opts.hostname ?? os.hostname();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (opts.days ?? 3650) * 86_400_000);
  const attrs = [
    { name: 'commonName', value: hostname },
    { name: 'organizationName', value: 'Steward self-signed certificate' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const names = new Set([hostname, 'localhost', ...(opts.altNames ?? [])]);
  const altNames: { type: number; value?: string; ip?: string }[] = [];
  for (const n of names) altNames.push(/^[\d.]+$|:/.test(n) ? { type: 7, ip: n } : { type: 2, value: n });
  altNames.push({ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' });
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}

/** `AA:BB:…` upper-case SHA-256 of the DER certificate, as Proxmox shows fingerprints. */
export function fingerprintOfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

export function fingerprintOfPem(pem: string): string {
  return fingerprintOfDer(new X509Certificate(pem).raw);
}
