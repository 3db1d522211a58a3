import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** How one nft run ended: 0 and nothing said, or nft's complaint. */
export interface NftResult {
  readonly code: number;
  readonly stderr: string;
}

/** Bytes of nft's complaints kept per run. */
const STDERR_LIMIT = 4096;

/** The set bansho's table keeps empty so that listing it acknowledges a line (./nftScript.ts). */
export const ACK_SET = 'ack';

/**
 * One long-lived `nft -i`, forked once: a fork of the gateway per change held its event loop
 * for milliseconds (its whole memory is mapped). Each batch is one line, which nft applies as one
 * transaction; listing the table's empty `ack` set after it says the line is done, and what nft
 * wrote to stderr meanwhile is its complaint. A run that gets no answer in `timeoutMs` ends the
 * session (the firewall starts another).
 */
export class NftSession {
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #ack: RegExp;
  readonly #ackCommand: string;
  readonly #timeoutMs: number;
  #stdout = '';
  #stderr = '';
  #waiting: { resolve: (r: NftResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | null = null;
  #dead: Error | null = null;

  constructor(nft: string, table: string, timeoutMs = 30_000) {
    this.#ackCommand = `list set inet ${table} ${ACK_SET}\n`;
    this.#ack = new RegExp(`set ${ACK_SET} \\{[^}]*\\}\\s*\\}\\s*$`);
    this.#timeoutMs = timeoutMs;
    this.#child = spawn(nft, ['-i'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stdout.setEncoding('utf8');
    this.#child.stderr.setEncoding('utf8');
    this.#child.stdin.on('error', () => {});
    this.#child.stdout.on('data', (chunk: string) => {
      this.#stdout += chunk;
      if (this.#ack.test(this.#stdout)) {
        this.#stdout = '';
        // nft wrote any complaint before the listing: both pipes were ready in the same poll.
        setImmediate(() => this.#settle());
      }
    });
    this.#child.stderr.on('data', (chunk: string) => {
      if (this.#stderr.length < STDERR_LIMIT) this.#stderr += chunk.slice(0, STDERR_LIMIT - this.#stderr.length);
    });
    this.#child.once('error', (err) => this.#die(err));
    this.#child.once('close', (code) => this.#die(new Error(`nft -i exited (${code}): ${this.#stderr.trim()}`)));
  }

  get alive(): boolean {
    return this.#dead === null;
  }

  /** Apply `commands` (lines of nft commands) as one transaction; one run at a time. */
  run(commands: string): Promise<NftResult> {
    if (this.#dead) return Promise.reject(this.#dead);
    if (this.#waiting) return Promise.reject(new Error('nft session busy'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#die(new Error(`nft -i gave no answer in ${this.#timeoutMs} ms`));
        this.#child.kill('SIGKILL');
      }, this.#timeoutMs);
      this.#waiting = { resolve, reject, timer };
      this.#stderr = '';
      const line = commands
        .split('\n')
        .filter((l) => l !== '')
        .join('; ');
      this.#child.stdin.write(`${line}\n${this.#ackCommand}`);
    });
  }

  /** End the session (nft exits at the end of its input). */
  close(): void {
    this.#child.stdin.end();
  }

  #settle(): void {
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = null;
    clearTimeout(waiting.timer);
    const stderr = this.#stderr;
    this.#stderr = '';
    waiting.resolve({ code: /error/i.test(stderr) ? 1 : 0, stderr });
  }

  #die(err: Error): void {
    this.#dead ??= err;
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(err);
    }
  }
}
