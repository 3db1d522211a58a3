/** Exit status of a command killed by SIGPIPE, as a shell reports it (128 + 13). */
const EXIT_BROKEN_PIPE = 141;
let watchingOutput = false;
let keepRunning = false;

/**
 * A reader that goes away (`bansho analyze --json … | head`) ends the run the way SIGPIPE ends
 * a C tool: at once and quietly, not with an unhandled EPIPE and its stack trace.
 */
export function endQuietlyWhenOutputCloses(): void {
  if (watchingOutput) return;
  watchingOutput = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // The command's own writer reports its output's failure (a closed pipe, a full disk).
    if (keepRunning) return;
    if (err.code !== 'EPIPE') throw err;
    process.exit(EXIT_BROKEN_PIPE);
  });
}

/**
 * For a command whose standard output is a copy and whose work goes on without it (`serve
 * --events -`): a failing output (closed, full) does not end the process; its writer reports
 * and counts.
 */
export function keepRunningWhenOutputCloses(): void {
  keepRunning = true;
}
