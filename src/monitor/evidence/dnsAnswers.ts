import type { DnsMessage } from '../decode/dns.js';
import { DNS_TYPES } from '../protocols/dns.js';
import type { DnsRecord } from './records.js';

/** Zeek's names for the response codes. */
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** Answers remembered per client, and clients remembered, the earliest forgotten first. */
const PER_CLIENT = 32;
const CLIENTS = 16_384;

/**
 * The DNS answers each client received, remembered a while, so that a reported connection can
 * say which name its originator looked up to reach its responder (the link Zeek's dns.log and
 * conn.log make by address). Bounded per client and in clients.
 */
export class DnsAnswers {
  readonly #byClient = new Map<string, DnsRecord[]>();

  /** A DNS response from `server` to `client` (seen at `timeMs`). */
  response(
    message: DnsMessage,
    client: { ip: string; port: number },
    server: { ip: string; port: number },
    timeMs: number,
  ): void {
    if (!message.response) return;
    const question = message.questions[0];
    if (question === undefined) return;
    const answers = message.records.filter((r) => r.type === 1 || r.type === 28 || r.type === 5).map((r) => r.data);
    const record: DnsRecord = {
      ts: timeMs / 1000,
      'id.orig_h': client.ip,
      'id.orig_p': client.port,
      'id.resp_h': server.ip,
      'id.resp_p': server.port,
      proto: 'udp',
      trans_id: message.id,
      query: question.name,
      qtype: question.type,
      qtype_name: DNS_TYPES[question.type] ?? String(question.type),
      rcode: message.rcode,
      rcode_name: RCODE_NAMES[message.rcode] ?? String(message.rcode),
      answers,
    };
    let list = this.#byClient.get(client.ip);
    if (list === undefined) {
      if (this.#byClient.size >= CLIENTS) {
        const earliest = this.#byClient.keys().next().value;
        if (earliest !== undefined) this.#byClient.delete(earliest);
      }
      list = [];
      this.#byClient.set(client.ip, list);
    }
    list.push(record);
    if (list.length > PER_CLIENT) list.shift();
  }

  /** The answers `client` received that gave `address`. */
  leadingTo(client: string, address: string): readonly DnsRecord[] {
    const list = this.#byClient.get(client);
    if (list === undefined) return NONE;
    const found = list.filter((r) => r.answers.includes(address));
    return found.length === 0 ? NONE : found;
  }
}

const NONE: readonly DnsRecord[] = [];
