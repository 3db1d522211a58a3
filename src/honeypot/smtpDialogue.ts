import { decodeBytes } from './abuserText.js';
import type { Line } from './lineReader.js';

/** The bounds one SMTP session lives within. */
export interface SmtpLimits {
  /** Bytes of message data kept; a longer message is refused (`552`) and not kept. */
  readonly maxMessageBytes: number;
  /** Command lines read before the session is closed (`421`). */
  readonly maxCommands: number;
  readonly maxRecipients: number;
  readonly maxMessages: number;
  /** Errors (bad commands, failed AUTH) before the session is closed, as Postfix's hard error limit. */
  readonly maxErrors: number;
}

export const DEFAULT_SMTP_LIMITS: SmtpLimits = {
  maxMessageBytes: 256 * 1024,
  maxCommands: 500,
  maxRecipients: 100,
  maxMessages: 10,
  maxErrors: 20,
};

/** A message the abuser finished with `.`: the envelope as given, the data as sent (latin1). */
export interface ReceivedMessage {
  readonly helo: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly data: string;
  /** Some line was longer than the line bound and was cut. */
  readonly cut: boolean;
}

/**
 * What the dialogue asks of its driver. A finished message is handed over (`message`) and the
 * driver answers it: `250 … queued as ID` once it is in quarantine, `452` when it cannot be.
 */
export type SmtpStep =
  | { readonly kind: 'reply'; readonly text: string }
  | { readonly kind: 'message'; readonly message: ReceivedMessage }
  | { readonly kind: 'auth'; readonly mechanism: string; readonly username: string }
  | { readonly kind: 'close' };

type Phase =
  | { readonly name: 'command' }
  | { readonly name: 'auth-plain' }
  | { readonly name: 'auth-login-user' }
  | { readonly name: 'auth-login-password'; readonly username: string }
  | { readonly name: 'data'; readonly lines: string[]; size: number; tooBig: boolean; cut: boolean }
  | { readonly name: 'closed' };

/** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CRLF. */
const MAX_COMMAND = 510;
/** An address as given, up to 254 octets; no space, brackets or control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const ADDRESS = /^[^\s<>\x00-\x1f\x7f]{0,254}$/;

/**
 * The SMTP server the abuser thinks it reached, as an explicit state machine: Postfix's replies
 * to EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY; STARTTLS refused; AUTH read, recorded
 * and refused. It relays: every recipient is accepted, as an open relay would. It delivers nothing:
 * it only hands the message to its driver. Pure: lines in, steps out; no I/O, no clock.
 */
export class SmtpDialogue {
  readonly #host: string;
  readonly #limits: SmtpLimits;
  #phase: Phase = { name: 'command' };
  #helo: string | null = null;
  #from: string | null = null;
  #to: string[] = [];
  #commands = 0;
  #errors = 0;
  #messages = 0;

  /** `host`: the name the abuser asked for, already made speakable. */
  constructor(host: string, limits: SmtpLimits = DEFAULT_SMTP_LIMITS) {
    this.#host = host;
    this.#limits = limits;
  }

  greeting(): string {
    return `220 ${this.#host} ESMTP Postfix\r\n`;
  }

  get helo(): string | null {
    return this.#helo;
  }

  get closed(): boolean {
    return this.#phase.name === 'closed';
  }

  step(line: Line): SmtpStep[] {
    const phase = this.#phase;
    switch (phase.name) {
      case 'closed':
        return [];
      case 'data':
        return this.#dataLine(phase, line);
      case 'auth-plain':
        return this.#authAnswer(line, (text) => this.#failAuth('PLAIN', plainUsername(text)));
      case 'auth-login-user':
        return this.#authAnswer(line, (text) => {
          this.#phase = { name: 'auth-login-password', username: base64Text(text) };
          return [reply('334 UGFzc3dvcmQ6')];
        });
      case 'auth-login-password':
        // The password is read and not kept: credentials tried by an abuser are often a victim's.
        return this.#authAnswer(line, () => this.#failAuth('LOGIN', phase.username));
      case 'command':
        return this.#command(line);
    }
  }

  #command(line: Line): SmtpStep[] {
    if (++this.#commands > this.#limits.maxCommands)
      return this.#close(`421 4.7.0 ${this.#host} Error: too many commands`);
    if (line.cut || line.text.length > MAX_COMMAND) return this.#error('500 5.5.2 Error: line too long');
    const space = line.text.indexOf(' ');
    const verb = (space < 0 ? line.text : line.text.slice(0, space)).toUpperCase();
    const arg = space < 0 ? '' : line.text.slice(space + 1).trim();
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        return this.#hello(verb, arg);
      case 'MAIL':
        return this.#mail(arg);
      case 'RCPT':
        return this.#rcpt(arg);
      case 'DATA':
        return this.#data(arg);
      case 'RSET':
        this.#reset();
        return [reply('250 2.0.0 Ok')];
      case 'NOOP':
        return [reply('250 2.0.0 Ok')];
      case 'QUIT':
        return this.#close('221 2.0.0 Bye');
      case 'STARTTLS':
        return [reply('454 4.7.0 TLS not available due to local problem')];
      case 'AUTH':
        return this.#auth(arg);
      case 'VRFY':
        return [reply('502 5.5.1 VRFY command is disabled')];
      default:
        return this.#error('502 5.5.2 Error: command not recognized');
    }
  }

  #hello(verb: string, arg: string): SmtpStep[] {
    if (arg === '') return this.#error(`501 Syntax: ${verb} hostname`);
    this.#helo = decodeBytes(arg, 255);
    this.#reset();
    if (verb === 'HELO') return [reply(`250 ${this.#host}`)];
    const lines = [
      this.#host,
      'PIPELINING',
      `SIZE ${this.#limits.maxMessageBytes}`,
      'AUTH PLAIN LOGIN',
      'AUTH=PLAIN LOGIN',
      'ENHANCEDSTATUSCODES',
      '8BITMIME',
    ];
    return [reply(lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}`).join('\r\n'))];
  }

  #mail(arg: string): SmtpStep[] {
    if (this.#helo === null) return this.#error('503 5.5.1 Error: send HELO/EHLO first');
    if (this.#from !== null) return this.#error('503 5.5.1 Error: nested MAIL command');
    if (this.#messages >= this.#limits.maxMessages) return [reply('452 4.3.1 Insufficient system storage')];
    const m = /^FROM:\s*(?:<([^<>]*)>|([^\s<>]+))(.*)$/i.exec(arg);
    const address = m ? (m[1] ?? m[2] ?? '') : null;
    if (address === null || !ADDRESS.test(address)) return this.#error('501 5.1.7 Bad sender address syntax');
    const size = /(?:^|\s)SIZE=(\d{1,15})(?:\s|$)/i.exec(m?.[3] ?? '');
    if (size && Number(size[1]) > this.#limits.maxMessageBytes)
      return [reply('552 5.3.4 Message size exceeds fixed limit')];
    this.#from = address;
    return [reply('250 2.1.0 Ok')];
  }

  #rcpt(arg: string): SmtpStep[] {
    if (this.#from === null) return this.#error('503 5.5.1 Error: need MAIL command');
    const m = /^TO:\s*(?:<([^<>]*)>|([^\s<>]+))/i.exec(arg);
    const address = m ? (m[1] ?? m[2] ?? '') : '';
    if (address === '' || !ADDRESS.test(address)) return this.#error('501 5.1.3 Bad recipient address syntax');
    if (this.#to.length >= this.#limits.maxRecipients) return [reply('452 4.5.3 Error: too many recipients')];
    this.#to.push(address);
    return [reply('250 2.1.5 Ok')];
  }

  #data(arg: string): SmtpStep[] {
    if (arg !== '') return this.#error('501 5.5.4 Syntax: DATA');
    if (this.#from === null) return this.#error('503 5.5.1 Error: need RCPT command');
    if (this.#to.length === 0) return this.#error('554 5.5.1 Error: no valid recipients');
    this.#phase = { name: 'data', lines: [], size: 0, tooBig: false, cut: false };
    return [reply('354 End data with <CR><LF>.<CR><LF>')];
  }

  #dataLine(phase: Extract<Phase, { name: 'data' }>, line: Line): SmtpStep[] {
    if (line.text === '.' && !line.cut) return this.#endData(phase);
    // RFC 5321 §4.5.2: a leading dot was doubled by the sender.
    const text = line.text.startsWith('.') ? line.text.slice(1) : line.text;
    phase.cut ||= line.cut;
    phase.size += text.length + 2;
    if (phase.size > this.#limits.maxMessageBytes) {
      // Read on to the final dot, keeping nothing more: the abuser waits for our answer.
      phase.tooBig = true;
      phase.lines.length = 0;
    } else phase.lines.push(text);
    return [];
  }

  #endData(phase: Extract<Phase, { name: 'data' }>): SmtpStep[] {
    const envelope = { helo: this.#helo ?? '', from: this.#from ?? '', to: this.#to };
    this.#phase = { name: 'command' };
    this.#reset();
    if (phase.tooBig) return [reply('552 5.3.4 Error: message file too big')];
    this.#messages++;
    const data = phase.lines.length > 0 ? `${phase.lines.join('\r\n')}\r\n` : '';
    return [{ kind: 'message', message: { ...envelope, data, cut: phase.cut } }];
  }

  #auth(arg: string): SmtpStep[] {
    if (this.#helo === null) return this.#error('503 5.5.1 Error: send HELO/EHLO first');
    if (this.#from !== null) return this.#error('503 5.5.1 Error: MAIL transaction in progress');
    const [mechanism = '', initial] = arg.split(/\s+/);
    switch (mechanism.toUpperCase()) {
      case 'PLAIN':
        if (initial !== undefined) return this.#failAuth('PLAIN', plainUsername(initial));
        this.#phase = { name: 'auth-plain' };
        return [reply('334 ')];
      case 'LOGIN':
        if (initial !== undefined) {
          this.#phase = { name: 'auth-login-password', username: base64Text(initial) };
          return [reply('334 UGFzc3dvcmQ6')];
        }
        this.#phase = { name: 'auth-login-user' };
        return [reply('334 VXNlcm5hbWU6')];
      default:
        return this.#error('504 5.5.4 Unsupported authentication mechanism');
    }
  }

  /** A line answering a `334` challenge: `*` cancels (RFC 4954 §4). */
  #authAnswer(line: Line, then: (text: string) => SmtpStep[]): SmtpStep[] {
    this.#phase = { name: 'command' };
    if (line.cut || line.text.length > MAX_COMMAND * 2)
      return this.#error('500 5.5.6 Authentication Exchange line is too long');
    if (line.text.trim() === '*') return this.#error('501 5.7.0 Authentication aborted');
    return then(line.text.trim());
  }

  #failAuth(mechanism: string, username: string): SmtpStep[] {
    this.#phase = { name: 'command' };
    const recorded: SmtpStep = { kind: 'auth', mechanism, username };
    return [recorded, ...this.#error('535 5.7.8 Error: authentication failed: authentication failure')];
  }

  #error(text: string): SmtpStep[] {
    if (++this.#errors >= this.#limits.maxErrors)
      return [reply(text), ...this.#close(`421 4.7.0 ${this.#host} Error: too many errors`)];
    return [reply(text)];
  }

  #close(text: string): SmtpStep[] {
    this.#phase = { name: 'closed' };
    return [reply(text), { kind: 'close' }];
  }

  #reset(): void {
    this.#from = null;
    this.#to = [];
  }
}

function reply(text: string): SmtpStep {
  return { kind: 'reply', text: `${text}\r\n` };
}

function base64Text(text: string): string {
  return decodeBytes(Buffer.from(text, 'base64').toString('latin1'), 128);
}

/** AUTH PLAIN's `authzid NUL authcid NUL password`: the authcid, the name that logs in. */
function plainUsername(text: string): string {
  const fields = Buffer.from(text, 'base64').toString('latin1').split('\0');
  return decodeBytes(fields[1] ?? fields[0] ?? '', 128);
}
