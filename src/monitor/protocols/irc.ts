/**
 * IRC (port 6667): tshark's dissector names each line's command, so the lines of each segment
 * are handed on as they are (no line is held for the next segment).
 */
export const IRC_PORT = 6667;
