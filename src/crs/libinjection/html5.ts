/**
 * libinjection's HTML5 tokenizer (libinjection_html5.c v3.9.2, BSD-3-Clause), ported state
 * for state: a small subset of the HTML5 tokenizer, enough to find tags, attributes, values,
 * comments and doctypes the way a browser would, from a chosen starting state.
 */

import { EOF, type Html5Core, type Html5Flags, type Html5TokenType, isWhite, type State } from './html5Core.js';
import { markupStates } from './html5Markup.js';
import { valueStates } from './html5Values.js';

export { EOF, type Html5Flags, type Html5TokenType, isWhite, type State };

export class Html5Tokenizer implements Html5Core {
  // Read and written by the markup states too (html5Markup.ts).
  pos = 0;
  private isClose = false;
  state: State;
  tokenStart = 0;
  tokenLen = 0;
  tokenType: Html5TokenType = 'dataText';

  constructor(
    readonly s: string,
    flags: Html5Flags,
  ) {
    const initial: Record<Html5Flags, State> = {
      data: this.data,
      valueNoQuote: this.beforeAttributeName,
      valueSingleQuote: this.values.valueSingleQuote,
      valueDoubleQuote: this.values.valueDoubleQuote,
      valueBackQuote: this.values.valueBackQuote,
    };
    this.state = initial[flags];
  }

  next(): boolean {
    return this.state();
  }

  tokenText(): string {
    return this.s.slice(this.tokenStart, this.tokenStart + this.tokenLen);
  }

  get len(): number {
    return this.s.length;
  }

  code(at: number): number {
    return this.s.charCodeAt(at);
  }

  token(type: Html5TokenType, start: number, len: number): void {
    this.tokenType = type;
    this.tokenStart = start;
    this.tokenLen = len;
  }

  /** h5_skip_white returns a signed char: the byte 0xFF reads as EOF, as in C. */
  skipWhite(): number {
    while (this.pos < this.len) {
      const c = this.code(this.pos);
      if (c === 0 || c === 0x20 || (c >= 0x09 && c <= 0x0d)) this.pos += 1;
      else return c === 0xff ? EOF : c;
    }
    return EOF;
  }

  readonly eof: State = () => false;
  private readonly markup = markupStates(this);
  private readonly values = valueStates(this);

  readonly data: State = () => {
    const idx = this.s.indexOf('<', this.pos);
    if (idx < 0) {
      this.token('dataText', this.pos, this.len - this.pos);
      this.state = this.eof;
      return this.tokenLen !== 0;
    }
    this.token('dataText', this.pos, idx - this.pos);
    this.pos = idx + 1;
    this.state = this.tagOpen;
    if (this.tokenLen === 0) return this.tagOpen();
    return true;
  };

  private readonly tagOpen: State = () => {
    if (this.pos >= this.len) return false;
    const c = this.code(this.pos);
    if (c === 0x21) {
      this.pos += 1;
      return this.markup.markupDeclarationOpen();
    }
    if (c === 0x2f) {
      this.pos += 1;
      this.isClose = true;
      return this.endTagOpen();
    }
    if (c === 0x3f) {
      this.pos += 1;
      return this.markup.bogusComment();
    }
    if (c === 0x25) {
      this.pos += 1;
      return this.markup.bogusComment2();
    }
    if (isAlpha(c) || c === 0) return this.tagName();
    if (this.pos === 0) return this.data();
    this.token('dataText', this.pos - 1, 1);
    this.state = this.data;
    return true;
  };

  private readonly endTagOpen: State = () => {
    if (this.pos >= this.len) return false;
    const c = this.code(this.pos);
    if (c === 0x3e) return this.data();
    if (isAlpha(c)) return this.tagName();
    this.isClose = false;
    return this.markup.bogusComment();
  };

  readonly tagNameClose: State = () => {
    this.isClose = false;
    this.token('tagNameClose', this.pos, 1);
    this.pos += 1;
    this.state = this.pos < this.len ? this.data : this.eof;
    return true;
  };

  private readonly tagName: State = () => {
    let pos = this.pos;
    while (pos < this.len) {
      const c = this.code(pos);
      if (c === 0) pos += 1;
      else if (isWhite(c)) {
        this.token('tagNameOpen', this.pos, pos - this.pos);
        this.pos = pos + 1;
        this.state = this.beforeAttributeName;
        return true;
      } else if (c === 0x2f) {
        this.token('tagNameOpen', this.pos, pos - this.pos);
        this.pos = pos + 1;
        this.state = this.selfClosingStartTag;
        return true;
      } else if (c === 0x3e) {
        this.tokenStart = this.pos;
        this.tokenLen = pos - this.pos;
        if (this.isClose) {
          this.pos = pos + 1;
          this.isClose = false;
          this.tokenType = 'tagClose';
          this.state = this.data;
        } else {
          this.pos = pos;
          this.tokenType = 'tagNameOpen';
          this.state = this.tagNameClose;
        }
        return true;
      } else pos += 1;
    }
    this.token('tagNameOpen', this.pos, this.len - this.pos);
    this.state = this.eof;
    return true;
  };

  readonly beforeAttributeName: State = () => {
    const c = this.skipWhite();
    if (c === EOF) return false;
    if (c === 0x2f) {
      this.pos += 1;
      return this.selfClosingStartTag();
    }
    if (c === 0x3e) {
      this.state = this.data;
      this.token('tagNameClose', this.pos, 1);
      this.pos += 1;
      return true;
    }
    return this.attributeName();
  };

  private readonly attributeName: State = () => {
    let pos = this.pos + 1;
    while (pos < this.len) {
      const c = this.code(pos);
      const end = (state: State, next: number) => {
        this.token('attrName', this.pos, pos - this.pos);
        this.state = state;
        this.pos = next;
        return true;
      };
      if (isWhite(c)) return end(this.afterAttributeName, pos + 1);
      if (c === 0x2f) return end(this.selfClosingStartTag, pos + 1);
      if (c === 0x3d) return end(this.values.beforeAttributeValue, pos + 1);
      if (c === 0x3e) return end(this.tagNameClose, pos);
      pos += 1;
    }
    this.token('attrName', this.pos, this.len - this.pos);
    this.state = this.eof;
    this.pos = this.len;
    return true;
  };

  private readonly afterAttributeName: State = () => {
    const c = this.skipWhite();
    if (c === EOF) return false;
    if (c === 0x2f) {
      this.pos += 1;
      return this.selfClosingStartTag();
    }
    if (c === 0x3d) {
      this.pos += 1;
      return this.values.beforeAttributeValue();
    }
    if (c === 0x3e) return this.tagNameClose();
    return this.attributeName();
  };

  readonly selfClosingStartTag: State = () => {
    if (this.pos >= this.len) return false;
    if (this.code(this.pos) === 0x3e) {
      this.token('tagNameSelfClose', this.pos - 1, 2);
      this.state = this.data;
      this.pos += 1;
      return true;
    }
    return this.beforeAttributeName();
  };
}

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}
