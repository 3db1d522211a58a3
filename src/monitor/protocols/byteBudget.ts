/**
 * Message data the packet log's services keep between segments (an SMTP message, a POP3 reply)
 * for the IMF summary, shared by all conversations: a busy or hostile capture with many
 * messages open at once gets this much in all, and a message that finds it spent is summarised
 * from what it could keep.
 */
export class ByteBudget {
  #left: number;

  constructor(bytes = 32 * 1024 * 1024) {
    this.#left = bytes;
  }

  /** Up to `wanted` bytes, as many as are left. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.#left));
    this.#left -= granted;
    return granted;
  }

  give(bytes: number): void {
    this.#left += bytes;
  }
}
