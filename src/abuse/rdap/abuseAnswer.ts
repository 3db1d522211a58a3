import type { NetworkInfo } from './ipNetwork.js';

/** The registry that gave the answer, and the way there: bootstrap server, then each referral or redirect. */
export interface AnswerSource {
  /** The URL whose answer is this one. */
  readonly url: string;
  /** Every URL asked, in order; more than one when registries referred the query on. */
  readonly via: readonly string[];
  readonly fetchedAt: number;
}

/**
 * What RDAP says about who handles abuse for an address. Failures to get an answer are
 * RdapErrors, not answers, and are never cached.
 */
export type AbuseAnswer =
  | (AnswerSource & {
      readonly kind: 'contact';
      readonly ip: string;
      readonly email: string;
      /** Further addresses the abuse entity lists. */
      readonly otherEmails: readonly string[];
      readonly contactName: string | null;
      readonly contactHandle: string | null;
      readonly network: NetworkInfo;
    })
  | (AnswerSource & {
      readonly kind: 'no-contact';
      readonly ip: string;
      readonly network: NetworkInfo;
      /** Set when an abuse entity exists but lists no e-mail address. */
      readonly entityWithoutEmail: string | null;
    })
  | {
      /** The bootstrap file names no registry for the address (private, reserved, unallocated). */
      readonly kind: 'no-registry';
      readonly ip: string;
      readonly fetchedAt: number;
    };
