import type { ConfigFile } from './schema.js';

/** The honeypot's settings, resolved: sizes in bytes, durations in ms. */
export interface HoneypotSettings {
  readonly enabled: boolean;
  /** Threat or rule ids whose requests are played along with. */
  readonly for: readonly string[];
  /** A banned source's connections are let into the honeypot (within its budget) instead of dropped. */
  readonly banned: boolean;
  readonly quarantine: {
    readonly dir: string;
    readonly maxMessageBytes: number;
    readonly maxTotalBytes: number;
    readonly retentionMs: number;
  };
  /** Per source (an address, an IPv6 /64) and window. */
  readonly budget: {
    readonly sessions: number;
    readonly bytes: number;
    readonly concurrent: number;
    readonly windowMs: number;
  };
  readonly session: {
    readonly bytes: number;
    readonly commands: number;
    readonly idleMs: number;
    readonly lifetimeMs: number;
  };
  /** Sessions open at once, all sources together. */
  readonly maxSessions: number;
}

/** The threats issue 16 names: the 2003 worm and the proxy abuse around it. */
export const HONEYPOT_THREATS: readonly string[] = [
  'prettypark',
  'mail-relay-attempt',
  'irc-relay-attempt',
  'open-proxy-probe',
  'proxy-judge',
];

const MiB = 1024 * 1024;

export const DEFAULT_HONEYPOT: HoneypotSettings = {
  enabled: false,
  for: HONEYPOT_THREATS,
  banned: false,
  quarantine: {
    dir: './bansho-quarantine',
    maxMessageBytes: MiB / 4,
    maxTotalBytes: 64 * MiB,
    retentionMs: 30 * 86_400_000,
  },
  budget: { sessions: 10, bytes: 2 * MiB, concurrent: 2, windowMs: 86_400_000 },
  session: { bytes: MiB, commands: 500, idleMs: 60_000, lifetimeMs: 600_000 },
  maxSessions: 64,
};

/** The config file's `honeypot` section over the defaults. */
export function resolveHoneypot(file: ConfigFile['honeypot']): HoneypotSettings {
  const d = DEFAULT_HONEYPOT;
  if (file === undefined) return d;
  const q = file.quarantine ?? {};
  const b = file.budget ?? {};
  const s = file.session ?? {};
  return {
    enabled: file.enabled ?? d.enabled,
    for: file.for ?? d.for,
    banned: file.banned ?? d.banned,
    quarantine: {
      dir: q.dir ?? d.quarantine.dir,
      maxMessageBytes: q.max_message ?? d.quarantine.maxMessageBytes,
      maxTotalBytes: q.max_total ?? d.quarantine.maxTotalBytes,
      retentionMs: q.retention ?? d.quarantine.retentionMs,
    },
    budget: {
      sessions: b.sessions ?? d.budget.sessions,
      bytes: b.bytes ?? d.budget.bytes,
      concurrent: b.concurrent ?? d.budget.concurrent,
      windowMs: b.window ?? d.budget.windowMs,
    },
    session: {
      bytes: s.bytes ?? d.session.bytes,
      commands: s.commands ?? d.session.commands,
      idleMs: s.idle ?? d.session.idleMs,
      lifetimeMs: s.lifetime ?? d.session.lifetimeMs,
    },
    maxSessions: file.max_sessions ?? d.maxSessions,
  };
}
