/**
 * Why an RDAP lookup gave no answer. Each code has one meaning a caller (or a person reading
 * the message) can act on; none of them is "no abuse contact", which is an answer.
 */
export type RdapErrorCode =
  /** The registry did not answer within the timeout. */
  | 'E_RDAP_TIMEOUT'
  /** No connection could be made (no network, DNS failure, connection refused). */
  | 'E_RDAP_OFFLINE'
  /** The registry said 429, or bansho's own per-registry limit holds the query back. */
  | 'E_RDAP_RATE_LIMITED'
  /** An HTTP status other than 200, 404, 429 or a redirect. */
  | 'E_RDAP_HTTP'
  /** The answer was not RDAP JSON for an IP network (or too large). */
  | 'E_RDAP_BAD_ANSWER'
  /** Referrals went round in a circle or on for too long. */
  | 'E_RDAP_REFERRALS'
  /** The bootstrap file could not be had, and none is cached. */
  | 'E_RDAP_BOOTSTRAP';

export class RdapError extends Error {
  readonly code: RdapErrorCode;
  /** For E_RDAP_RATE_LIMITED: when a query may be made again (ms since the epoch). */
  readonly retryAt: number | null;

  constructor(code: RdapErrorCode, message: string, retryAt: number | null = null) {
    super(message);
    this.code = code;
    this.retryAt = retryAt;
  }
}
