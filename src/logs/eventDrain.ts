import type { EventSink, LogAnalyzer } from './analyzer.js';

/** Hands an analysis's events to the sink, counting those made and those the store did not have. */
export class EventDrain {
  made = 0;
  added = 0;

  constructor(
    private readonly analyzer: LogAnalyzer,
    private readonly sink: EventSink,
  ) {}

  /** The events made since the last flush, to the sink (one call: one transaction). */
  async flush(): Promise<void> {
    const events = this.analyzer.takeEvents();
    if (events.length === 0) return;
    this.made += events.length;
    this.added += await this.sink(events);
  }
}
