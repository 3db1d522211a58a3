import { answerAddresses, decodeDns } from '../decode/dns.js';
import { DNS_TYPES } from '../protocols/dns.js';
import type { DnsRecord } from './records.js';

/** Zeek's names for the response codes. */
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** Addresses remembered per client, and clients remembered, the earliest forgotten first. */
const PER_CLIENT = 64;
const CLIENTS = 16_384;

/** A response as received: its addresses read at once, the rest kept to be read if ever needed. */
interface Answer {
  readonly timeMs: number;
  readonly clientIp: string;
  readonly clientPort: number;
  readonly serverIp: string;
  readonly serverPort: number;
  readonly message: Uint8Array;
}

/**
 * The DNS answers each client received, remembered a while, so that a reported connection can
 * say which name its originator looked up to reach its responder (the link Zeek's dns.log and
 * conn.log make by address). Each response's addresses are read as it passes; the message is
 * decoded into a record only for a connection it led to. Bounded per client and in clients.
 */
export class DnsAnswers {
  /** Per client, the latest answer that gave each address, the address first given earliest forgotten first. */
  readonly #byClient = new Map<string, Map<string, Answer>>();

  /** A datagram from a DNS port (the server's) to a client, seen at `timeMs`. */
  datagram(
    payload: Uint8Array,
    clientIp: string,
    clientPort: number,
    serverIp: string,
    serverPort: number,
    timeMs: number,
  ): void {
    const addresses = answerAddresses(payload);
    if (addresses === null || addresses.length === 0) return;
    let known = this.#byClient.get(clientIp);
    if (known === undefined) {
      if (this.#byClient.size >= CLIENTS) {
        const earliest = this.#byClient.keys().next().value;
        if (earliest !== undefined) this.#byClient.delete(earliest);
      }
      known = new Map();
      this.#byClient.set(clientIp, known);
    }
    // A copy: the payload is a view into the capture's buffer, which moves on.
    const answer: Answer = { timeMs, clientIp, clientPort, serverIp, serverPort, message: Uint8Array.from(payload) };
    for (const address of addresses) {
      known.set(address, answer);
      if (known.size > PER_CLIENT) {
        const earliest = known.keys().next().value;
        if (earliest !== undefined) known.delete(earliest);
      }
    }
  }

  /** The latest answer `client` received that gave `address`, as a dns.log record. */
  leadingTo(client: string, address: string): readonly DnsRecord[] {
    const answer = this.#byClient.get(client)?.get(address);
    const r = answer === undefined ? null : record(answer);
    return r === null ? NONE : [r];
  }
}

const NONE: readonly DnsRecord[] = [];

function record(a: Answer): DnsRecord | null {
  const message = decodeDns(a.message);
  const question = message?.questions[0];
  if (message === null || question === undefined) return null;
  return {
    ts: a.timeMs / 1000,
    'id.orig_h': a.clientIp,
    'id.orig_p': a.clientPort,
    'id.resp_h': a.serverIp,
    'id.resp_p': a.serverPort,
    proto: 'udp',
    trans_id: message.id,
    query: question.name,
    qtype: question.type,
    qtype_name: DNS_TYPES[question.type] ?? String(question.type),
    rcode: message.rcode,
    rcode_name: RCODE_NAMES[message.rcode] ?? String(message.rcode),
    answers: message.records.filter((r) => r.type === 1 || r.type === 28 || r.type === 5).map((r) => r.data),
  };
}
