// Validation of a certificate chain + private key before it is installed: used by the API
// (to answer the uploader with clear errors and warnings) and again by privd (which never
// trusts the API). Errors are ApiError('validation') with the offending field.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { ApiError } from '../../shared/errors.ts';
import { fingerprintOfDer } from './certificate.ts';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  san: string[];
  notBefore: number;
  notAfter: number;
  fingerprint: string;
  serial: string;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_CHAIN = 10;

function invalid(field: string, message: string): ApiError {
  return new ApiError('validation', `${field}: ${message}`, { errors: { [field]: message } });
}

export function parseChain(pem: string): X509Certificate[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw invalid('certificates', 'no PEM certificate found');
  if (blocks.length > MAX_CHAIN) throw invalid('certificates', `more than ${MAX_CHAIN} certificates`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw invalid('certificates', `certificate ${i + 1} cannot be parsed`);
    }
  });
}

export function certificateInfo(cert: X509Certificate): CertificateInfo {
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    san: (cert.subjectAltName ?? '').split(', ').filter(Boolean).map((s) => s.replace(/^(DNS|IP Address):/, '')),
    notBefore: Math.floor(Date.parse(cert.validFrom) / 1000),
    notAfter: Math.floor(Date.parse(cert.validTo) / 1000),
    fingerprint: fingerprintOfDer(cert.raw),
    serial: cert.serialNumber,
  };
}

/**
 * Checks that the key parses and matches the first certificate, that each certificate is
 * issued (and signed) by the next one, and that the leaf is valid now. Returns the leaf's
 * info and warnings that do not block installation (host name not covered).
 */
export function checkCertificate(certPem: string, keyPem: string, opts: { now?: number; hostnames?: string[] } = {}): { info: CertificateInfo; warnings: string[] } {
  const chain = parseChain(certPem);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw invalid('key', 'the private key cannot be parsed (PEM, unencrypted)');
  }
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(key)) throw invalid('key', 'the private key does not match the certificate');
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.checkIssued(chain[i + 1]!) || !chain[i]!.verify(chain[i + 1]!.publicKey)) {
      throw invalid('certificates', `certificate ${i + 2} is not the issuer of certificate ${i + 1} (the chain must start with the server certificate, each followed by its issuer)`);
    }
  }
  const info = certificateInfo(leaf);
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (info.notAfter <= now) throw invalid('certificates', `the certificate expired on ${new Date(info.notAfter * 1000).toISOString()}`);
  if (info.notBefore > now + 300) throw invalid('certificates', `the certificate is not valid before ${new Date(info.notBefore * 1000).toISOString()}`);
  const warnings: string[] = [];
  const uncovered = (opts.hostnames ?? []).filter((h) => !(isIP(h) ? leaf.checkIP(h) : leaf.checkHost(h)));
  if (uncovered.length) warnings.push(`the certificate does not cover ${uncovered.join(', ')}`);
  return { info, warnings };
}
