import type { HoneypotRecord } from '../events/securityEvent.js';
import { decodeBytes } from './abuserText.js';
import type { Line } from './lineReader.js';

export type IrcFacts = NonNullable<HoneypotRecord['irc']>;

export interface IrcLimits {
  /** Lines read before the session is closed (Excess Flood). */
  readonly maxCommands: number;
  readonly maxChannels: number;
  /** PRIVMSG and NOTICE lines kept. */
  readonly maxMessages: number;
}

export const DEFAULT_IRC_LIMITS: IrcLimits = { maxCommands: 500, maxChannels: 20, maxMessages: 50 };

export type IrcStep = { readonly kind: 'reply'; readonly text: string } | { readonly kind: 'close' };

/** RFC 2812 §2.3: a message is at most 512 characters with its CRLF. */
export const IRC_MAX_LINE = 510;
const MAX_TEXT = 400;
const VERSION = 'u2.10.12.10';

/**
 * The IRC server the abuser thinks it reached, as an explicit state machine: registration
 * (NICK, USER) answered with the welcome numerics and a short MOTD, then JOIN, PRIVMSG, NOTICE,
 * PING/PONG recorded and answered the way ircu answers them. Nothing is sent to anyone else:
 * a PRIVMSG to a channel or to the bot's owner simply goes nowhere. Pure: lines in, steps out.
 */
export class IrcDialogue {
  readonly #host: string;
  readonly #peer: string;
  readonly #limits: IrcLimits;
  readonly facts: IrcFacts = { channels: [], messages: [] };
  #registered = false;
  #closed = false;
  #commands = 0;

  /** `host`: the server the abuser asked for, already made speakable; `peer`: its own address. */
  constructor(host: string, peer: string, limits: IrcLimits = DEFAULT_IRC_LIMITS) {
    this.#host = host;
    this.#peer = peer;
    this.#limits = limits;
  }

  /** ircu's first words: it looks the client up (here it never does: no name is resolved). */
  greeting(): string {
    return `:${this.#host} NOTICE AUTH :*** Looking up your hostname\r\n:${this.#host} NOTICE AUTH :*** Couldn't look up your hostname\r\n`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  step(line: Line): IrcStep[] {
    if (this.#closed || line.text.trim() === '') return [];
    if (++this.#commands > this.#limits.maxCommands) return this.#close('Excess Flood');
    const { command, params } = parseMessage(line.text);
    switch (command) {
      case 'NICK':
        return this.#nick(params[0]);
      case 'USER':
        if (this.facts.user === undefined) {
          this.facts.user = decodeBytes(params[0] ?? '', 64);
          this.facts.realname = decodeBytes(params[3] ?? '', 128);
        }
        return this.#maybeWelcome();
      case 'CAP':
        return (params[0] ?? '').toUpperCase() === 'LS' ? this.#say('CAP * LS :') : [];
      case 'PASS':
      case 'PONG':
        return [];
      case 'PING':
        return [reply(`:${this.#host} PONG ${this.#host} :${params[0] ?? ''}`)];
      case 'QUIT':
        return this.#close(`Quit: ${decodeBytes(params[0] ?? '', 100)}`);
    }
    if (!this.#registered) return this.#say(`451 ${command} :You have not registered`);
    switch (command) {
      case 'JOIN':
        return this.#join(params[0] ?? '');
      case 'PRIVMSG':
      case 'NOTICE':
        this.#message(params[0] ?? '', params[1] ?? '');
        return [];
      case 'MODE':
      case 'WHO':
      case 'USERHOST':
      case 'ISON':
      case 'PART':
        return [];
      default:
        return this.#say(`421 ${this.#currentNick} ${command} :Unknown command`);
    }
  }

  get #currentNick(): string {
    return this.facts.nick ?? '*';
  }

  #nick(wanted: string | undefined): IrcStep[] {
    const nick = decodeBytes(wanted ?? '', 30);
    if (nick === '') return this.#say(`431 ${this.#currentNick} :No nickname given`);
    const previous = this.facts.nick;
    this.facts.nick = nick;
    if (this.#registered && previous !== undefined)
      return [reply(`:${previous}!${this.facts.user ?? ''}@${this.#peer} NICK :${nick}`)];
    return this.#maybeWelcome();
  }

  #maybeWelcome(): IrcStep[] {
    if (this.#registered || this.facts.nick === undefined || this.facts.user === undefined) return [];
    this.#registered = true;
    const n = this.facts.nick;
    const lines = [
      `001 ${n} :Welcome to the Internet Relay Network ${n}!${this.facts.user}@${this.#peer}`,
      `002 ${n} :Your host is ${this.#host}, running version ${VERSION}`,
      `003 ${n} :This server was created Mon Jan 6 2003 at 12:00:00 UTC`,
      `004 ${n} ${this.#host} ${VERSION} dioswkgx biklmnopstvr bklov`,
      `375 ${n} :- ${this.#host} Message of the Day -`,
      `372 ${n} :- Welcome.`,
      `376 ${n} :End of /MOTD command.`,
    ];
    return this.#say(...lines);
  }

  #join(list: string): IrcStep[] {
    const out: IrcStep[] = [];
    for (const raw of list.split(',').slice(0, this.#limits.maxChannels)) {
      if (!/^[#&]/.test(raw)) {
        out.push(...this.#say(`403 ${this.#currentNick} ${raw.slice(0, 50)} :No such channel`));
        continue;
      }
      // Kept as sent, control bytes and all: PrettyPark's channel name begins `#\x1f\x02\xb6`.
      const channel = decodeBytes(raw, 50);
      if (!this.facts.channels.includes(channel) && this.facts.channels.length < this.#limits.maxChannels)
        this.facts.channels.push(channel);
      const n = this.#currentNick;
      out.push(reply(`:${n}!${this.facts.user ?? ''}@${this.#peer} JOIN :${raw.slice(0, 50)}`));
      out.push(
        ...this.#say(`353 ${n} = ${raw.slice(0, 50)} :${n}`, `366 ${n} ${raw.slice(0, 50)} :End of /NAMES list.`),
      );
    }
    return out;
  }

  #message(target: string, text: string): void {
    if (this.facts.messages.length >= this.#limits.maxMessages) return;
    this.facts.messages.push({ target: decodeBytes(target, 50), text: decodeBytes(text, MAX_TEXT) });
  }

  #say(...lines: string[]): IrcStep[] {
    return lines.map((l) => reply(`:${this.#host} ${l}`));
  }

  #close(why: string): IrcStep[] {
    this.#closed = true;
    return [reply(`ERROR :Closing Link: ${this.#currentNick}[${this.#peer}] (${why})`), { kind: 'close' }];
  }
}

/** One line to the abuser; a CR or LF it smuggled into a name it sees echoed is flattened. */
function reply(text: string): IrcStep {
  return { kind: 'reply', text: `${text.replace(/[\r\n]/g, ' ')}\r\n` };
}

/** `[:prefix] COMMAND param param :trailing` (RFC 2812 §2.3.1), at most 15 parameters. */
export function parseMessage(text: string): { command: string; params: string[] } {
  let rest = text.replace(/^\s+/, '');
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    rest = space < 0 ? '' : rest.slice(space + 1).replace(/^\s+/, '');
  }
  const trailingAt = rest.indexOf(' :');
  const head = trailingAt < 0 ? rest : rest.slice(0, trailingAt);
  const words = head.split(' ').filter((w) => w !== '');
  const command = (words.shift() ?? '').toUpperCase().slice(0, 20);
  const params = words.slice(0, 14);
  if (trailingAt >= 0) params.push(rest.slice(trailingAt + 2));
  return { command, params };
}
