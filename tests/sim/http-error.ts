// Errors a handler raises, answered the way each product does (see router.ts).
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}

/** PVE's raise_param_exc: 400 "Parameter verification failed." with per-parameter messages. */
export function paramError(errors: Record<string, string>): HttpError {
  return new HttpError(400, 'Parameter verification failed.', errors);
}

/** A plain die "…\n" in a PVE API handler: HTTP 500 with the message as reason phrase. */
export function fail(message: string, status = 500): HttpError {
  return new HttpError(status, message);
}
