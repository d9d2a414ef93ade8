// WebAuthn in the browser: the API sends request/creation options as JSON (binary fields
// base64url-encoded, as @simplewebauthn produces them); navigator.credentials wants
// ArrayBuffers, and the answer goes back as JSON again.

export function fromB64url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function toB64url(buf: ArrayBuffer | ArrayBufferView | null | undefined): string | undefined {
  if (!buf) return undefined;
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

interface CredentialDescriptorJson { id: string; type: string; transports?: string[] }

export interface RequestOptionsJson {
  challenge: string;
  allowCredentials?: CredentialDescriptorJson[];
  [k: string]: unknown;
}

export interface CreationOptionsJson {
  challenge: string;
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: CredentialDescriptorJson[];
  [k: string]: unknown;
}

const descriptors = (list: CredentialDescriptorJson[] | undefined): PublicKeyCredentialDescriptor[] | undefined =>
  list?.map((c) => ({ ...c, id: fromB64url(c.id), type: 'public-key', transports: c.transports as AuthenticatorTransport[] | undefined }));

export function webauthnSupported(): boolean {
  return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

/** The fields every credential answer carries, as JSON. */
function credentialJson(cred: PublicKeyCredential, response: Record<string, unknown>): string {
  return JSON.stringify({
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: cred.getClientExtensionResults(),
    response,
  });
}

/** Asks the authenticator to sign the login challenge; returns the assertion as JSON text. */
export async function getAssertion(options: RequestOptionsJson, signal?: AbortSignal): Promise<string> {
  const publicKey: PublicKeyCredentialRequestOptions = {
    ...(options as object),
    challenge: fromB64url(options.challenge),
    allowCredentials: descriptors(options.allowCredentials),
  };
  const cred = (await navigator.credentials.get({ publicKey, signal })) as PublicKeyCredential | null;
  if (!cred) throw new Error('the security key gave no answer');
  const r = cred.response as AuthenticatorAssertionResponse;
  return credentialJson(cred, {
    clientDataJSON: toB64url(r.clientDataJSON),
    authenticatorData: toB64url(r.authenticatorData),
    signature: toB64url(r.signature),
    userHandle: toB64url(r.userHandle),
  });
}

/** Creates a new credential on the authenticator; returns the attestation as JSON text. */
export async function createCredential(options: CreationOptionsJson): Promise<string> {
  const publicKey = {
    ...(options as object),
    challenge: fromB64url(options.challenge),
    user: { ...options.user, id: fromB64url(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  } as PublicKeyCredentialCreationOptions;
  const cred = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
  if (!cred) throw new Error('the security key gave no answer');
  const r = cred.response as AuthenticatorAttestationResponse;
  return credentialJson(cred, {
    clientDataJSON: toB64url(r.clientDataJSON),
    attestationObject: toB64url(r.attestationObject),
    transports: r.getTransports?.() ?? [],
  });
}
