// The one catalogue of error codes. Callers (UI, scripts, tests) match on `code`,
// never on the message. Each code has its HTTP status and one line of documentation;
// docs/errors.md lists them all (a test keeps the two in step).

export const ERROR_CATALOGUE = {
  bad_request: { status: 400, doc: 'The request is malformed: unparsable JSON or form body, or a bad query string.' },
  validation: { status: 400, doc: 'One or more parameters are invalid; `errors` maps each field to its problem.' },
  search_syntax: { status: 400, doc: 'The search expression is malformed; the message points at the position.' },
  unauthenticated: { status: 401, doc: 'No valid ticket or API token was presented, or it has expired.' },
  auth_failed: { status: 401, doc: 'Login failed: wrong user name, password or second factor (deliberately not saying which).' },
  tfa_required: { status: 401, doc: 'The first login step succeeded; answer the TFA challenge to get a full ticket.' },
  tfa_locked: { status: 403, doc: 'Second factors are locked for this user after too many failures; use a recovery key or ask an admin.' },
  csrf: { status: 403, doc: 'A state-changing request authenticated by cookie lacks a valid CSRFPreventionToken header.' },
  forbidden: { status: 403, doc: 'The caller is authenticated but lacks the privilege this route needs on this path.' },
  ip_blocked: { status: 403, doc: 'The client address is not in the IP allowlist, or is blocked after repeated failed logins.' },
  not_found: { status: 404, doc: 'No such route, or no such object.' },
  method_not_allowed: { status: 405, doc: 'The path exists but not with this HTTP method.' },
  conflict: { status: 409, doc: 'The object changed since it was read (stale digest), or it already exists.' },
  payload_too_large: { status: 413, doc: 'The request body exceeds the size limit.' },
  unsupported_media_type: { status: 415, doc: 'The body is neither JSON nor form-encoded.' },
  rate_limited: { status: 429, doc: 'Too many requests; retry after the number of seconds in the Retry-After header.' },
  internal: { status: 500, doc: 'An unexpected error; it is logged on the server with the request id given in the message.' },
  remote_error: { status: 502, doc: 'A Proxmox remote answered with an error; the message carries its answer.' },
  remote_unreachable: { status: 502, doc: 'A Proxmox remote could not be reached on any of its endpoints.' },
  remote_tls: { status: 502, doc: "The TLS handshake with a remote failed, or (without a pinned fingerprint) the system CAs do not trust its certificate." },
  remote_auth_failed: { status: 502, doc: "A remote refused the stored or given credential (wrong token secret or password, expired or disabled)." },
  remote_forbidden: { status: 403, doc: "A remote refused the action: the credential Steward acts with lacks the privilege there (the message names it)." },
  remote_down: { status: 503, doc: 'The remote is marked down (no endpoint reachable, or its certificate changed) and no cached data is available.' },
  fingerprint_mismatch: { status: 502, doc: "A remote's TLS certificate does not match its pinned fingerprint; no credential was sent." },
  acme_terms_not_agreed: { status: 400, doc: "The ACME CA has terms of service and the account request did not agree to them (`tos-agreed`)." },
  acme_domain_rejected: { status: 400, doc: 'A domain is not valid for this ACME order: not a configured domain, or refused by the CA (the message carries its answer).' },
  acme_challenge_failed: { status: 502, doc: 'The ACME CA could not validate a domain (http-01 or dns-01); the message names the domain and the CA\'s reason.' },
  acme_directory_unreachable: { status: 502, doc: 'The ACME directory URL could not be reached or did not answer as an ACME server.' },
  task_running: { status: 409, doc: 'A task of this kind is already running on this host (one `apt-get update` at a time); the message names its task id.' },
  unavailable: { status: 503, doc: 'The service is shutting down, or a backend (the privileged daemon) is not available.' },
  timeout: { status: 504, doc: 'A backend or remote did not answer in time.' },
} as const satisfies Record<string, { status: number; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);
}

/** An error meant for the caller: its message is safe to show, its code is stable. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: Record<string, string> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, message?: string, opts: { errors?: Record<string, string>; headers?: Record<string, string> } = {}) {
    super(message ?? ERROR_CATALOGUE[code].doc);
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

/** The failure body on the wire, shared by the API and its clients. */
export interface ErrorBody {
  data: null;
  message: string;
  code: ErrorCode;
  errors?: Record<string, string>;
}
