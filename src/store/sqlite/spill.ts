import { appendFileSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { SecurityEvent } from '../../events/securityEvent.js';
import { type EncodedEvent, encodeEvent } from '../encodedEvent.js';
import type { Ban } from '../types.js';
import { putBans } from './banWrites.js';
import { insertEvents } from './eventWrites.js';

type Db = Database.Database;

/**
 * Where a process puts what the store would not take (the database locked by another process
 * for too long, a disk error): JSON lines beside the database, one file per process
 * (`<db>.spill-<pid>.jsonl`, mode 0600: it holds the same request lines as the database). The
 * process replays its own file once the store takes writes again; a file whose process is
 * gone is replayed by the next process that opens the database. One writer per file, and
 * that writer appends whole lines synchronously, so a replay never races a half-written line
 * of a live process.
 */
export class SpillFile {
  readonly path: string;

  constructor(dbFile: string, pid = process.pid) {
    this.path = spillPath(dbFile, pid);
  }

  /** Append events (already encoded) and bans. Throws when the file cannot be written. */
  append(records: { readonly events?: readonly EncodedEvent[]; readonly bans?: readonly Ban[] }): void {
    let text = '';
    for (const e of records.events ?? []) text += `{"event":${e.json}}\n`;
    for (const b of records.bans ?? []) text += `${JSON.stringify({ ban: b })}\n`;
    if (text !== '') appendFileSync(this.path, text, { mode: 0o600 });
  }

  /** Replay this process's own file into the store, then remove it. */
  replayInto(db: Db): SpillReplay {
    return replayFile(db, this.path);
  }
}

export interface SpillReplay {
  /** Records written to the store. */
  readonly records: number;
  /** Lines that were not a record (a line cut short when its process died). */
  readonly unreadable: number;
}

export function spillPath(dbFile: string, pid: number): string {
  return `${dbFile}.spill-${pid}.jsonl`;
}

/** What became of one orphaned spill file at open: replayed, or the error that kept it. */
export type OrphanReplay = { readonly file: string } & (SpillReplay | { readonly error: unknown });

/**
 * Replay the spill files of processes that are gone into the store (at open). A file whose
 * replay fails stays for the next open.
 */
export function replayOrphanedSpills(db: Db, dbFile: string): OrphanReplay[] {
  const dir = dirname(dbFile);
  const prefix = `${basename(dbFile)}.spill-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const replayed: OrphanReplay[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.jsonl')) continue;
    const pid = Number(name.slice(prefix.length, -'.jsonl'.length));
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    const file = join(dir, name);
    try {
      replayed.push({ file, ...replayFile(db, file) });
    } catch (error) {
      replayed.push({ file, error });
    }
  }
  return replayed;
}

function replayFile(db: Db, file: string): SpillReplay {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: 0, unreadable: 0 };
    throw err;
  }
  const events: EncodedEvent[] = [];
  const bans: Ban[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      const record = JSON.parse(line) as { event?: SecurityEvent; ban?: Ban };
      if (record.event) events.push(encodeEvent(record.event));
      else if (record.ban) bans.push(record.ban);
      else unreadable++;
    } catch {
      unreadable++;
    }
  }
  // Both kinds are idempotent (event ids are unique; a ban is an upsert), so a replay cut
  // short by a crash before the unlink does no harm when it runs again.
  if (events.length > 0) insertEvents(db, events);
  if (bans.length > 0) putBans(db, bans);
  try {
    unlinkSync(file);
  } catch (err) {
    // Another process opening the database replayed and removed it at the same time.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { records: events.length + bans.length, unreadable };
}

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
