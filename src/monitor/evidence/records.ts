/**
 * The monitor's evidence, as records with Zeek's field names (conn.log, http.log, dns.log; flat,
 * as Zeek's JSON writer names them: `id.orig_h`). Times are seconds since the epoch, as in
 * Zeek. A field Zeek leaves unset is left out.
 */
import type { ConnState } from './connState.js';
import type { CaptureStart } from './packetRecord.js';
import type { PacketTable } from './packetTable.js';

/** A TCP connection (conn.log). */
export interface ConnRecord {
  readonly ts: number;
  readonly uid: string;
  readonly 'id.orig_h': string;
  readonly 'id.orig_p': number;
  readonly 'id.resp_h': string;
  readonly 'id.resp_p': number;
  readonly proto: 'tcp';
  /** `http` once a request was read off it. */
  readonly service?: string;
  /** Seconds. */
  readonly duration: number;
  readonly orig_bytes: number;
  readonly resp_bytes: number;
  readonly conn_state: ConnState;
  readonly missed_bytes: number;
  readonly history: string;
  readonly orig_pkts: number;
  readonly orig_ip_bytes: number;
  readonly resp_pkts: number;
  readonly resp_ip_bytes: number;
}

/** A connection's record but its uid (a hash, worked out only for what is reported). */
export type ConnFacts = Omit<ConnRecord, 'uid'>;

/** An HTTP request and its response's status (http.log). */
export interface HttpRecord {
  readonly ts: number;
  /** The conn record's uid. */
  readonly uid: string;
  /** 1 for the connection's first request, 2 for the next, … */
  readonly trans_depth: number;
  readonly method: string;
  readonly host?: string;
  readonly uri: string;
  /** `1.1` for HTTP/1.1. */
  readonly version?: string;
  readonly user_agent?: string;
  /** By Content-Length. */
  readonly request_body_len: number;
  readonly status_code?: number;
}

/** A DNS answer (dns.log): a lookup and the addresses it gave. */
export interface DnsRecord {
  readonly ts: number;
  readonly 'id.orig_h': string;
  readonly 'id.orig_p': number;
  readonly 'id.resp_h': string;
  readonly 'id.resp_p': number;
  readonly proto: 'udp';
  readonly trans_id: number;
  readonly query: string;
  readonly qtype: number;
  readonly qtype_name: string;
  readonly rcode: number;
  readonly rcode_name: string;
  readonly answers: readonly string[];
}

/** What a reported connection carries as evidence. */
export interface FlowEvidence {
  readonly conn: ConnRecord;
  readonly http: readonly HttpRecord[];
  /** The originator's lookups that answered with the responder's address. */
  readonly dns: readonly DnsRecord[];
  /** Its first packets as the packet log shows them, kept as records (null when the log was not made). */
  readonly packets: PacketTable | null;
  /** The capture they were read from, for their relative times (null with no packets). */
  readonly capture: CaptureStart | null;
}
