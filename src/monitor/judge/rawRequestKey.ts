/**
 * A request cut from a TCP stream as a RequestMemo key (../../detect/requestMemo.ts): its raw
 * text (request line, headers, body prefix; one character per byte) and why the framer found
 * it malformed, all its request object is built from. The reason comes first, its length before
 * it, or `-` for none (a length starts with a digit), so no two requests share a key.
 */
export function rawRequestKey(text: string, malformed: string | null): string {
  return malformed === null ? `-${text}` : `${malformed.length}:${malformed}${text}`;
}
