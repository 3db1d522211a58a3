import type { SentReport } from '../store/reportLog.js';

/** Whether a report may go out, and if not, why — each reason its own case. */
export type SendDecision =
  | { readonly kind: 'send'; readonly to: string }
  | { readonly kind: 'nothing-new'; readonly last: SentReport }
  | { readonly kind: 'no-contact'; readonly why: string }
  | { readonly kind: 'cap-reached'; readonly cap: number; readonly sentToday: number }
  | { readonly kind: 'no-smtp' };

export interface SendFacts {
  /** The abuse contact's address, or why there is none. */
  readonly recipient: { readonly email: string } | { readonly why: string };
  /** Threat events the report would cover that no earlier report did. */
  readonly newAttacks: number;
  readonly previous: readonly SentReport[];
  readonly sentToday: number;
  readonly dailyCap: number;
  readonly smtpConfigured: boolean;
}

/**
 * Decide whether to send: only something not reported before, only to a contact RDAP named,
 * only within the day's cap, only with an SMTP server configured. Pure; the order of the
 * checks is the order a person would want to hear about them.
 */
export function decideSend(f: SendFacts): SendDecision {
  const last = f.previous[0];
  if (f.newAttacks === 0 && last) return { kind: 'nothing-new', last };
  if (!('email' in f.recipient)) return { kind: 'no-contact', why: f.recipient.why };
  if (f.sentToday >= f.dailyCap) return { kind: 'cap-reached', cap: f.dailyCap, sentToday: f.sentToday };
  if (!f.smtpConfigured) return { kind: 'no-smtp' };
  return { kind: 'send', to: f.recipient.email };
}
