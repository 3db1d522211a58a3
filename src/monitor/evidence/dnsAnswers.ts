import { Ipv4Texts } from '../decode/address.js';
import { answerAddresses, decodeDns } from '../decode/dns.js';
import { DNS_TYPES } from '../protocols/dns.js';
import type { DnsRecord } from './records.js';

/** Zeek's names for the response codes. */
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** Addresses remembered per client, and clients remembered, the earliest forgotten first. */
const PER_CLIENT = 64;
const CLIENTS = 16_384;

/**
 * A response as received: its addresses read at once, the rest kept to be read if ever needed.
 * Shared by the entries of the addresses it gave (`refs` of them), and refilled in place by a
 * later response that takes over all of them: a client asking for the same name again and
 * again (the common case) costs no object.
 */
interface Answer {
  timeMs: number;
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  /** A copy: the datagram's payload is a view into the capture's buffer, which moves on. */
  message: Uint8Array;
  /** How many of the client's entries point to it. */
  refs: number;
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
  /** The addresses of the response being read (scratch). */
  readonly #addresses: string[] = [];
  readonly #texts = new Ipv4Texts();

  /** A datagram from a DNS port (the server's) to a client, seen at `timeMs`. */
  datagram(
    payload: Uint8Array,
    clientIp: string,
    clientPort: number,
    serverIp: string,
    serverPort: number,
    timeMs: number,
  ): void {
    const addresses = this.#addresses;
    const count = answerAddresses(payload, addresses, this.#texts);
    if (count <= 0) return;
    const known = this.#client(clientIp);
    const answer = this.#takenOver(known, addresses, count) ?? newAnswer(payload);
    answer.timeMs = timeMs;
    answer.clientIp = clientIp;
    answer.clientPort = clientPort;
    answer.serverIp = serverIp;
    answer.serverPort = serverPort;
    if (answer.refs > 0) refillMessage(answer, payload);
    for (let i = 0; i < count; i++) {
      const address = addresses[i] as string;
      const before = known.get(address);
      if (before === answer) continue;
      if (before !== undefined) before.refs--;
      known.set(address, answer);
      answer.refs++;
      if (known.size > PER_CLIENT) forgetEarliest(known);
    }
  }

  /** The latest answer `client` received that gave `address`, as a dns.log record. */
  leadingTo(client: string, address: string): readonly DnsRecord[] {
    const answer = this.#byClient.get(client)?.get(address);
    const r = answer === undefined ? null : record(answer);
    return r === null ? NONE : [r];
  }

  #client(clientIp: string): Map<string, Answer> {
    let known = this.#byClient.get(clientIp);
    if (known !== undefined) return known;
    if (this.#byClient.size >= CLIENTS) {
      const earliest = this.#byClient.keys().next().value;
      if (earliest !== undefined) this.#byClient.delete(earliest);
    }
    known = new Map();
    this.#byClient.set(clientIp, known);
    return known;
  }

  /**
   * The answer every entry of which the `count` first `addresses` take over (the previous
   * answer to the same question, usually), to be refilled; null when another address still
   * points to it.
   */
  #takenOver(known: Map<string, Answer>, addresses: readonly string[], count: number): Answer | null {
    const previous = known.get(addresses[0] as string);
    if (previous === undefined) return null;
    let covered = 0;
    for (let i = 0; i < count; i++) {
      const address = addresses[i] as string;
      if (known.get(address) === previous && firstAt(addresses, address) === i) covered++;
    }
    return covered === previous.refs ? previous : null;
  }
}

/** Where `address` first is in `addresses` (it is there). */
function firstAt(addresses: readonly string[], address: string): number {
  let i = 0;
  while (addresses[i] !== address) i++;
  return i;
}

const NONE: readonly DnsRecord[] = [];

/** Where a connection's DNS evidence is found (what ../tcp/connection.ts asks of DnsAnswers). */
export interface DnsLookup {
  leadingTo(client: string, address: string): readonly DnsRecord[];
}

function newAnswer(payload: Uint8Array): Answer {
  return {
    timeMs: 0,
    clientIp: '',
    clientPort: 0,
    serverIp: '',
    serverPort: 0,
    message: Uint8Array.from(payload),
    refs: 0,
  };
}

/** The message's copy, in place when it has the same length (the same question answered alike). */
function refillMessage(answer: Answer, payload: Uint8Array): void {
  if (answer.message.length === payload.length) answer.message.set(payload);
  else answer.message = Uint8Array.from(payload);
}

function forgetEarliest(known: Map<string, Answer>): void {
  const earliest = known.entries().next().value;
  if (earliest === undefined) return;
  known.delete(earliest[0]);
  earliest[1].refs--;
}

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
