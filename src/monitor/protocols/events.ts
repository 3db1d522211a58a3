/**
 * What the protocol analyzers read off a conversation, as typed events (after Zeek's event
 * names: `smtp_reply`, `ftp_reply`, `ssl_client_hello`, …). Consumers switch on `kind`: the
 * packet log renders a frame's events into tshark's Info column, the detectors count the ones
 * they care about, the evidence keeps records of some.
 *
 * Byte fields are views into the frame being read: an event lives for that frame, and a
 * consumer that keeps one keeps a copy of what it needs. Nothing is formatted here — text for
 * the log is made when a line is printed.
 */

export type ProtocolEvent =
  | HttpRequest
  | HttpReply
  | HttpContinuation
  | SmtpRequest
  | SmtpReply
  | SmtpData
  | SmtpMessage
  | FtpRequest
  | FtpReply
  | FtpData
  | Pop3Request
  | Pop3Reply
  | Pop3Data
  | Pop3Message
  | ImapPdu
  | ImapTagged
  | PgsqlMessages
  | PgsqlError
  | MysqlError
  | SshVersion
  | SshMessage
  | SshEncrypted
  | TlsRecord
  | TlsClientHello
  | WebSocketFrame
  | IrcLines
  | TelnetData;

/** The start of an HTTP body, enough for its media type to be named (the body itself is not kept). */
export interface HttpBody {
  /** Bytes of the body as sent (before any Content-Encoding is undone). */
  readonly length: number;
  /** Its first bytes (copied: they outlive the frame that carried them). */
  readonly kept: Uint8Array;
  /** Media type without parameters, lower-cased. */
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  /** A multipart body's boundary. */
  readonly boundary: string | null;
}

export interface HttpRequest {
  readonly kind: 'http_request';
  readonly method: string;
  /** The request line as sent (latin1). */
  readonly firstLine: string;
  readonly body: HttpBody;
}

export interface HttpReply {
  readonly kind: 'http_reply';
  /** NaN when the status line has no three-digit code. */
  readonly statusCode: number;
  readonly firstLine: string;
  readonly body: HttpBody;
}

/** Data in an HTTP conversation that starts no message. */
export interface HttpContinuation {
  readonly kind: 'http_continuation';
}

/** Client lines in command state: commands, or the answers to an AUTH prompt. */
export interface SmtpRequest {
  readonly kind: 'smtp_request';
  /** The lines, as sent. */
  readonly lines: Uint8Array;
  /** What the lines answer: AUTH LOGIN's username or password prompt; `AUTH LOGIN <username>` itself. */
  readonly auth: 'username' | 'password' | 'login-with-username' | null;
}

export interface SmtpReply {
  readonly kind: 'smtp_reply';
  /** The first line's reply code (three digits, then a blank, `-` or the line's end), or -1. */
  readonly code: number;
  readonly lines: Uint8Array;
}

/** Message data (after DATA or BDAT) that does not end the message. */
export interface SmtpData {
  readonly kind: 'smtp_data';
  readonly length: number;
}

/** The end of a message: what was kept of it (empty when nothing was). */
export interface SmtpMessage {
  readonly kind: 'smtp_message';
  readonly message: Uint8Array;
}

export interface FtpRequest {
  readonly kind: 'ftp_request';
  /** The command, upper-cased (`USER`, `PASV`, …). */
  readonly command: string;
  /** The segment's first line, as sent. */
  readonly line: Uint8Array;
}

export interface FtpReply {
  readonly kind: 'ftp_reply';
  /** The reply code (three digits, then a blank, `-` or the line's end), or -1. */
  readonly code: number;
  readonly line: Uint8Array;
}

/** Data on a connection an FTP control connection announced. */
export interface FtpData {
  readonly kind: 'ftp_data';
  readonly length: number;
  /** How the connection was set up (PASV, EPASV, PORT), or null where tshark keeps none (EPRT). */
  readonly setup: string | null;
  /** The first command after the setup, as sent. */
  readonly command: Uint8Array | null;
}

export interface Pop3Request {
  readonly kind: 'pop3_request';
  readonly line: Uint8Array;
}

export interface Pop3Reply {
  readonly kind: 'pop3_reply';
  /** `+OK` (true) or `-ERR`. */
  readonly ok: boolean;
  /** An extended response code in brackets after the status (RFC 2449: `AUTH`, `IN-USE`, `SYS/TEMP`), or null. */
  readonly code: string | null;
  readonly line: Uint8Array;
}

/** A server segment that is no reply: part of a message being retrieved. */
export interface Pop3Data {
  readonly kind: 'pop3_data';
  readonly length: number;
}

export interface Pop3Message {
  readonly kind: 'pop3_message';
  readonly message: Uint8Array;
}

/**
 * An IMAP segment (lines reassembled) as tshark shows it: the first tagged line, or else the
 * message literal of a FETCH, or else the segment's start.
 */
export interface ImapPdu {
  readonly kind: 'imap_pdu';
  readonly toServer: boolean;
  readonly pdu: Uint8Array;
  /** What Info shows of it: a line (`start`..`end`), a FETCH literal (a mail), or the first `end` bytes. */
  readonly shows: 'line' | 'literal' | 'start' | 'nothing';
  readonly start: number;
  readonly end: number;
  /** The last FETCH literal of the segment, whose media type names the protocol (`IMAP/IMF`); null when none. */
  readonly literal: readonly [start: number, end: number] | null;
  /** A LOGIN whose password is shorter than tshark's dissector can read. */
  readonly malformed: boolean;
  /** Lines after these wait for the next segment (tshark then leaves the column as it stood). */
  readonly held: boolean;
}

/** A server's tagged status response: `a1 NO [AUTHENTICATIONFAILED] …`. */
export interface ImapTagged {
  readonly kind: 'imap_tagged';
  readonly tag: string;
  /** OK, NO or BAD, upper-cased. */
  readonly status: string;
  /** The response code in brackets (RFC 5530), upper-cased, or null. */
  readonly code: string | null;
}

/** PostgreSQL messages a segment completes, by type letter ('' for startup and SSL requests). */
export interface PgsqlMessages {
  readonly kind: 'pgsql_messages';
  readonly toServer: boolean;
  /** A message begun in an earlier segment and completed by this one, shown on its own; or null. */
  readonly completed: string | null;
  /** The messages that start in this segment and end in it; null when there are none after `completed`. */
  readonly types: readonly string[] | null;
}

/** A PostgreSQL ErrorResponse (every such message a segment holds whole). */
export interface PgsqlError {
  readonly kind: 'pgsql_error';
  /** SQLSTATE (`28P01`: invalid password). */
  readonly code: string;
  readonly severity: string;
}

/** A MySQL/MariaDB ERR packet from the server (the segment's first). */
export interface MysqlError {
  readonly kind: 'mysql_error';
  /** `1045`: ER_ACCESS_DENIED_ERROR. */
  readonly code: number;
}

/** The column tshark shows for SSH: the version the client's banner told, if it did yet. */
export type SshDialect = 'SSH' | 'SSHv1' | 'SSHv2';

export interface SshVersion {
  readonly kind: 'ssh_version';
  readonly fromServer: boolean;
  /** The banner line without its line end (`SSH-2.0-OpenSSH_9.2`). */
  readonly version: string;
  /** What the column showed before this segment. */
  readonly dialect: SshDialect;
}

export interface SshMessage {
  readonly kind: 'ssh_message';
  readonly fromServer: boolean;
  readonly code: number;
  /** tshark's name for the code (key-exchange codes named by the method both sides agreed on). */
  readonly name: string;
  readonly dialect: SshDialect;
}

/** Bytes tshark cannot frame: encrypted, or before the client's banner. */
export interface SshEncrypted {
  readonly kind: 'ssh_encrypted';
  readonly fromServer: boolean;
  readonly length: number;
  /** Whether tshark names them (`Encrypted packet (len=N)`); it does not where it set up a decryption. */
  readonly named: boolean;
  readonly dialect: SshDialect;
}

/** A TLS record a segment completes. */
export interface TlsRecord {
  readonly kind: 'tls_record';
  /** 20 ChangeCipherSpec, 21 Alert, 22 Handshake, 23 Application Data, 24 Heartbeat. */
  readonly contentType: number;
  /** The handshake message types in it (none when encrypted or not a handshake). */
  readonly handshakes: readonly number[];
  /** An unencrypted alert's level and description, or null. */
  readonly alert: readonly [level: number, description: number] | null;
  /** Sent after ChangeCipherSpec: its content is not readable. */
  readonly encrypted: boolean;
  /** The version tshark's column shows for the segment: negotiated, or the first record's. */
  readonly version: string;
}

export interface TlsClientHello {
  readonly kind: 'ssl_client_hello';
  /** The server_name extension's host name, or null. */
  readonly serverName: string | null;
}

/** A WebSocket frame a segment completes: its header. */
export interface WebSocketFrame {
  readonly kind: 'websocket_frame';
  readonly opcode: number;
  readonly fin: boolean;
  readonly masked: boolean;
}

/** IRC lines (no line is held for the next segment). */
export interface IrcLines {
  readonly kind: 'irc_lines';
  readonly toServer: boolean;
  readonly lines: Uint8Array;
}

export interface TelnetData {
  readonly kind: 'telnet_data';
}
