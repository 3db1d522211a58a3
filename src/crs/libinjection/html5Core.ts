/** The HTML5 tokenizer's shared vocabulary (libinjection_html5.c): what its states read and write. */

export type Html5Flags = 'data' | 'valueNoQuote' | 'valueSingleQuote' | 'valueDoubleQuote' | 'valueBackQuote';

export type Html5TokenType =
  | 'dataText'
  | 'tagNameOpen'
  | 'tagNameClose'
  | 'tagNameSelfClose'
  | 'tagData'
  | 'tagClose'
  | 'attrName'
  | 'attrValue'
  | 'tagComment'
  | 'doctype';

export type State = () => boolean;

export const EOF = -1;

/** h5_is_white: strchr(" \t\n\v\f\r", ch) — which also finds NUL, the string's terminator. */
export function isWhite(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0;
}

/** What the markup states (html5Markup.ts) use of the tokenizer. */
export interface Html5Core {
  readonly s: string;
  readonly len: number;
  pos: number;
  state: State;
  tokenStart: number;
  tokenLen: number;
  tokenType: Html5TokenType;
  readonly eof: State;
  readonly data: State;
  readonly beforeAttributeName: State;
  readonly tagNameClose: State;
  readonly selfClosingStartTag: State;
  code(at: number): number;
  token(type: Html5TokenType, start: number, len: number): void;
  skipWhite(): number;
}
