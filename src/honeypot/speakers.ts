import type { SecurityEvent } from '../events/securityEvent.js';
import { printable } from './abuserText.js';
import { IRC_MAX_LINE, IrcDialogue } from './ircDialogue.js';
import type { Line } from './lineReader.js';
import { readMailHeaders } from './mailHeaders.js';
import type { Quarantine } from './quarantine.js';
import { messageEvent, type SessionFacts } from './sessionEvents.js';
import { SmtpDialogue, type SmtpLimits } from './smtpDialogue.js';

/** What a speaker says to one line: text to send, and whether the session ends after it. */
export interface Said {
  readonly text: string;
  readonly close: boolean;
}

/**
 * The server side of a tunnel: a dialogue state machine and what its steps mean for the session
 * (facts recorded, a message quarantined). `answer` is async only where a message is kept.
 */
export interface Speaker {
  readonly maxLine: number;
  greeting(): string;
  answer(line: Line): Said | Promise<Said>;
  /** The last words when the session is cut (idle, lifetime), or ''. */
  farewell(why: 'idle' | 'lifetime'): string;
}

export interface SmtpSpeakerDeps {
  readonly quarantine: Quarantine;
  readonly emit: (event: SecurityEvent) => void;
  readonly threatName: (id: string) => string | undefined;
  readonly clock: () => number;
}

/** AUTH attempts recorded per session. */
const MAX_AUTH_RECORDED = 10;
/** Longest line the SMTP side reads whole: data lines beyond RFC 5321's 1000 are tolerated, then cut. */
const SMTP_MAX_LINE = 8192;

/** The mail server: SMTP replies, messages into quarantine with an event each, never delivered. */
export function smtpSpeaker(facts: SessionFacts, limits: SmtpLimits, deps: SmtpSpeakerDeps): Speaker {
  const host = facts.play.serverName;
  const dialogue = new SmtpDialogue(host, limits);
  return {
    maxLine: SMTP_MAX_LINE,
    greeting: () => dialogue.greeting(),
    farewell: (why) =>
      why === 'idle' ? `421 4.4.2 ${host} Error: timeout exceeded\r\n` : `421 4.4.2 ${host} Error: too long\r\n`,
    answer: async (line) => {
      let text = '';
      let close = false;
      for (const step of dialogue.step(line)) {
        switch (step.kind) {
          case 'reply':
            text += step.text;
            break;
          case 'close':
            close = true;
            break;
          case 'auth':
            if (facts.auth.length < MAX_AUTH_RECORDED)
              facts.auth.push({ mechanism: step.mechanism, username: step.username });
            break;
          case 'message': {
            const m = step.message;
            // The envelope above the message, as Bubblegum proxypot kept it; HELO made printable so
            // that it cannot forge a header line of its own.
            const head = `Return-Path: <${m.from}>\r\n${m.to.map((t) => `X-Bansho-Envelope-To: <${t}>\r\n`).join('')}Received: from ${printable(m.helo, 255)} (${facts.source.ip}) by ${host} (bansho honeypot, never delivered); ${new Date(deps.clock()).toUTCString()}\r\n`;
            const kept = await deps.quarantine.store(head, Buffer.from(m.data, 'latin1'));
            facts.messages++;
            deps.emit(messageEvent(facts, m, readMailHeaders(m.data), kept, deps.clock(), deps.threatName));
            text +=
              kept.kind === 'stored'
                ? `250 2.0.0 Ok: queued as ${kept.id}\r\n`
                : '452 4.3.1 Insufficient system storage\r\n';
            break;
          }
        }
      }
      facts.helo = dialogue.helo;
      return { text, close };
    },
  };
}

/** The IRC server: registration, channels and messages recorded in the session's facts. */
export function ircSpeaker(facts: SessionFacts, maxCommands: number): Speaker {
  const dialogue = new IrcDialogue(facts.play.serverName, facts.source.ip, {
    maxCommands,
    maxChannels: 20,
    maxMessages: 50,
  });
  facts.irc = dialogue.facts;
  return {
    maxLine: IRC_MAX_LINE,
    greeting: () => dialogue.greeting(),
    farewell: () => `ERROR :Closing Link: ${dialogue.facts.nick ?? '*'}[${facts.source.ip}] (Ping timeout)\r\n`,
    answer: (line) => {
      let text = '';
      let close = false;
      for (const step of dialogue.step(line)) {
        if (step.kind === 'reply') text += step.text;
        else close = true;
      }
      return { text, close };
    },
  };
}
