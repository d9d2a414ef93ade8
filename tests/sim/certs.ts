// Self-signed certificates for simulated nodes. Each node has its own key and certificate,
// so Steward's fingerprint pinning sees a distinct fingerprint per endpoint. Keys are EC
// P-256 (about a millisecond each; RSA-2048 takes ~0.4 s here, too slow for hundreds of
// nodes); real PVE nodes carry RSA-2048 certificates signed by the cluster CA, which makes no
// difference to pinning, the only thing a client can observe.
import { X509Certificate, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';

export interface NodeCertificate {
  key: string;
  cert: string;
  /** `AA:BB:…` upper-case SHA-256 of the DER certificate, as Proxmox shows it. */
  fingerprint: string;
}

const { asn1 } = forge;
const T = asn1.Type;
const C = asn1.Class;

const seq = (items: forge.asn1.Asn1[]) => asn1.create(C.UNIVERSAL, T.SEQUENCE, true, items);
const oid = (id: string) => asn1.create(C.UNIVERSAL, T.OID, false, asn1.oidToDer(id).getBytes());
const bin = (b: Buffer) => b.toString('binary');

function name(cn: string, org: string) {
  const rdn = (id: string, value: string) => asn1.create(C.UNIVERSAL, T.SET, true, [seq([oid(id), asn1.create(C.UNIVERSAL, T.UTF8, false, forge.util.encodeUtf8(value))])]);
  return seq([rdn('2.5.4.10', org), rdn('2.5.4.3', cn)]);
}

function ipBytes(ip: string): string {
  return String.fromCharCode(...ip.split('.').map(Number));
}

export function fingerprintOfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

export function fingerprintOfPem(pem: string): string {
  return fingerprintOfDer(new X509Certificate(pem).raw);
}

/** A certificate like pveproxy's: CN = the node's FQDN, SANs for its name, localhost and its IP. */
export function nodeCertificate(hostname: string, ips: string[] = ['127.0.0.1'], days = 3650): NodeCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = asn1.fromDer(forge.util.createBuffer(bin(publicKey.export({ type: 'spki', format: 'der' }))));
  const now = Date.now();
  const sigAlg = seq([oid('1.2.840.10045.4.3.2')]);
  // A DER INTEGER: positive (top bit clear) and minimal (no leading zero byte), or OpenSSL
  // refuses the certificate (ERR_OSSL_ASN1_ILLEGAL_PADDING) — so the first byte is 0x40–0x7f.
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const san = seq([
    ...[hostname, 'localhost'].map((d) => asn1.create(C.CONTEXT_SPECIFIC, 2, false, d)),
    ...ips.map((ip) => asn1.create(C.CONTEXT_SPECIFIC, 7, false, ipBytes(ip))),
  ]);
  const ext = (id: string, value: forge.asn1.Asn1, critical = false) =>
    seq([oid(id), ...(critical ? [asn1.create(C.UNIVERSAL, T.BOOLEAN, false, '\xff')] : []), asn1.create(C.UNIVERSAL, T.OCTETSTRING, false, asn1.toDer(value).getBytes())]);
  const issuer = name(hostname, 'PVE Cluster Node');
  const tbs = seq([
    asn1.create(C.CONTEXT_SPECIFIC, 0, true, [asn1.create(C.UNIVERSAL, T.INTEGER, false, '\x02')]),
    asn1.create(C.UNIVERSAL, T.INTEGER, false, bin(serial)),
    sigAlg,
    issuer,
    seq([asn1.create(C.UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(new Date(now - 86_400_000))), asn1.create(C.UNIVERSAL, T.UTCTIME, false, asn1.dateToUtcTime(new Date(now + days * 86_400_000)))]),
    issuer,
    spki,
    asn1.create(C.CONTEXT_SPECIFIC, 3, true, [
      seq([
        ext('2.5.29.19', seq([]), true),
        ext('2.5.29.37', seq([oid('1.3.6.1.5.5.7.3.1')])),
        ext('2.5.29.17', san),
      ]),
    ]),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, privateKey);
  const certAsn = seq([tbs, sigAlg, asn1.create(C.UNIVERSAL, T.BITSTRING, false, '\x00' + bin(signature))]);
  const der = Buffer.from(asn1.toDer(certAsn).getBytes(), 'binary');
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cert, fingerprint: fingerprintOfDer(der) };
}
