/**
 * How an analyzer read one TCP segment's payload, beside the events it emitted: whether the
 * segment completed protocol data units (PDUs) — the events say which — or carried part of
 * one still to come. The packet log shows the first as the protocol and the second as TCP
 * ("[TCP segment of a reassembled PDU]"); `null` means no analyzer read the segment at all.
 */
export type Reading = Pdus | Part | null;

export interface Pdus {
  readonly kind: 'pdus';
  /**
   * HTTP: a message begun after the completed ones and not finished, by its first line
   * (tshark names it in the same Info).
   */
  readonly pending?: string;
}

export interface Part {
  readonly kind: 'part';
  /** A PDU starts in this segment (TLS and SSH then clear the TCP text; PostgreSQL shows its mark). */
  readonly begins: boolean;
  /** HTTP: the first line of the message this segment is part of, once it is known. */
  readonly pending?: string;
  /** HTTP: a message with a hole ended in this segment, and `pending` began after it. */
  readonly afterLost?: boolean;
}

export const PDUS: Pdus = { kind: 'pdus' };
export const PART: Part = { kind: 'part', begins: false };
export const PART_BEGUN: Part = { kind: 'part', begins: true };
