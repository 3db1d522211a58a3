/**
 * libinjection's HTML5 tokenizer (libinjection_html5.c v3.9.2, BSD-3-Clause), ported state
 * for state: a small subset of the HTML5 tokenizer, enough to find tags, attributes, values,
 * comments and doctypes the way a browser would, from a chosen starting state.
 */
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

type State = () => boolean;

const EOF = -1;

/** h5_is_white: strchr(" \t\n\v\f\r", ch) — which also finds NUL, the string's terminator. */
function isWhite(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0;
}

export class Html5Tokenizer {
  private pos = 0;
  private isClose = false;
  private state: State;
  tokenStart = 0;
  tokenLen = 0;
  tokenType: Html5TokenType = 'dataText';

  constructor(
    private readonly s: string,
    flags: Html5Flags,
  ) {
    const initial: Record<Html5Flags, State> = {
      data: this.data,
      valueNoQuote: this.beforeAttributeName,
      valueSingleQuote: this.valueSingleQuote,
      valueDoubleQuote: this.valueDoubleQuote,
      valueBackQuote: this.valueBackQuote,
    };
    this.state = initial[flags];
  }

  next(): boolean {
    return this.state();
  }

  tokenText(): string {
    return this.s.slice(this.tokenStart, this.tokenStart + this.tokenLen);
  }

  private get len(): number {
    return this.s.length;
  }

  private code(at: number): number {
    return this.s.charCodeAt(at);
  }

  private token(type: Html5TokenType, start: number, len: number): void {
    this.tokenType = type;
    this.tokenStart = start;
    this.tokenLen = len;
  }

  /** h5_skip_white returns a signed char: the byte 0xFF reads as EOF, as in C. */
  private skipWhite(): number {
    while (this.pos < this.len) {
      const c = this.code(this.pos);
      if (c === 0 || c === 0x20 || (c >= 0x09 && c <= 0x0d)) this.pos += 1;
      else return c === 0xff ? EOF : c;
    }
    return EOF;
  }

  private readonly eof: State = () => false;

  private readonly data: State = () => {
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
      return this.markupDeclarationOpen();
    }
    if (c === 0x2f) {
      this.pos += 1;
      this.isClose = true;
      return this.endTagOpen();
    }
    if (c === 0x3f) {
      this.pos += 1;
      return this.bogusComment();
    }
    if (c === 0x25) {
      this.pos += 1;
      return this.bogusComment2();
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
    return this.bogusComment();
  };

  private readonly tagNameClose: State = () => {
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

  private readonly beforeAttributeName: State = () => {
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
      if (c === 0x3d) return end(this.beforeAttributeValue, pos + 1);
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
      return this.beforeAttributeValue();
    }
    if (c === 0x3e) return this.tagNameClose();
    return this.attributeName();
  };

  private readonly beforeAttributeValue: State = () => {
    const c = this.skipWhite();
    if (c === EOF) {
      this.state = this.eof;
      return false;
    }
    if (c === 0x22) return this.valueDoubleQuote();
    if (c === 0x27) return this.valueSingleQuote();
    if (c === 0x60) return this.valueBackQuote();
    return this.valueNoQuote();
  };

  private valueQuote(quote: string): boolean {
    if (this.pos > 0) this.pos += 1;
    const idx = this.s.indexOf(quote, this.pos);
    if (idx < 0) {
      this.token('attrValue', this.pos, this.len - this.pos);
      this.state = this.eof;
    } else {
      this.token('attrValue', this.pos, idx - this.pos);
      this.state = this.afterAttributeValueQuoted;
      this.pos += this.tokenLen + 1;
    }
    return true;
  }

  private readonly valueDoubleQuote: State = () => this.valueQuote('"');
  private readonly valueSingleQuote: State = () => this.valueQuote("'");
  private readonly valueBackQuote: State = () => this.valueQuote('`');

  private readonly valueNoQuote: State = () => {
    let pos = this.pos;
    while (pos < this.len) {
      const c = this.code(pos);
      if (isWhite(c)) {
        this.token('attrValue', this.pos, pos - this.pos);
        this.pos = pos + 1;
        this.state = this.beforeAttributeName;
        return true;
      }
      if (c === 0x3e) {
        this.token('attrValue', this.pos, pos - this.pos);
        this.pos = pos;
        this.state = this.tagNameClose;
        return true;
      }
      pos += 1;
    }
    this.state = this.eof;
    this.token('attrValue', this.pos, this.len - this.pos);
    return true;
  };

  private readonly afterAttributeValueQuoted: State = () => {
    if (this.pos >= this.len) return false;
    const c = this.code(this.pos);
    if (isWhite(c)) {
      this.pos += 1;
      return this.beforeAttributeName();
    }
    if (c === 0x2f) {
      this.pos += 1;
      return this.selfClosingStartTag();
    }
    if (c === 0x3e) {
      this.token('tagNameClose', this.pos, 1);
      this.pos += 1;
      this.state = this.data;
      return true;
    }
    return this.beforeAttributeName();
  };

  private readonly selfClosingStartTag: State = () => {
    if (this.pos >= this.len) return false;
    if (this.code(this.pos) === 0x3e) {
      this.token('tagNameSelfClose', this.pos - 1, 2);
      this.state = this.data;
      this.pos += 1;
      return true;
    }
    return this.beforeAttributeName();
  };

  private readonly bogusComment: State = () => {
    const idx = this.s.indexOf('>', this.pos);
    if (idx < 0) {
      this.token('tagComment', this.pos, this.len - this.pos);
      this.pos = this.len;
      this.state = this.eof;
    } else {
      this.token('tagComment', this.pos, idx - this.pos);
      this.pos = idx + 1;
      this.state = this.data;
    }
    return true;
  };

  /** `<% … %>`: a comment to old IE and Safari. */
  private readonly bogusComment2: State = () => {
    let pos = this.pos;
    for (;;) {
      const idx = this.s.indexOf('%', pos);
      if (idx < 0 || idx + 1 >= this.len) {
        this.token('tagComment', this.pos, this.len - this.pos);
        this.pos = this.len;
        this.state = this.eof;
        return true;
      }
      if (this.s[idx + 1] !== '>') {
        pos = idx + 1;
        continue;
      }
      this.token('tagComment', this.pos, idx - this.pos);
      this.pos = idx + 2;
      this.state = this.data;
      return true;
    }
  };

  private readonly markupDeclarationOpen: State = () => {
    const rest = this.s.slice(this.pos, this.pos + 7);
    if (/^doctype$/i.test(rest)) return this.doctype();
    if (rest === '[CDATA[') {
      this.pos += 7;
      return this.cdata();
    }
    if (rest.startsWith('--')) {
      this.pos += 2;
      return this.comment();
    }
    return this.bogusComment();
  };

  private readonly comment: State = () => {
    const end = this.len;
    let pos = this.pos;
    const toEof = () => {
      this.state = this.eof;
      this.token('tagComment', this.pos, this.len - this.pos);
      return true;
    };
    for (;;) {
      const idx = this.s.indexOf('-', pos);
      if (idx < 0 || idx > end - 3) return toEof();
      let offset = 1;
      while (idx + offset < end && this.code(idx + offset) === 0) offset += 1;
      if (idx + offset === end) return toEof();
      let c = this.code(idx + offset);
      if (c !== 0x2d && c !== 0x21) {
        pos = idx + 1;
        continue;
      }
      offset += 1;
      if (idx + offset === end) return toEof();
      c = this.code(idx + offset);
      if (c !== 0x3e) {
        pos = idx + 1;
        continue;
      }
      offset += 1;
      this.token('tagComment', this.pos, idx - this.pos);
      this.pos = idx + offset;
      this.state = this.data;
      return true;
    }
  };

  private readonly cdata: State = () => {
    let pos = this.pos;
    for (;;) {
      const idx = this.s.indexOf(']', pos);
      if (idx < 0 || idx > this.len - 3) {
        this.state = this.eof;
        this.token('dataText', this.pos, this.len - this.pos);
        return true;
      }
      if (this.s[idx + 1] === ']' && this.s[idx + 2] === '>') {
        this.state = this.data;
        this.token('dataText', this.pos, idx - this.pos);
        this.pos = idx + 3;
        return true;
      }
      pos = idx + 1;
    }
  };

  private readonly doctype: State = () => {
    this.tokenStart = this.pos;
    this.tokenType = 'doctype';
    const idx = this.s.indexOf('>', this.pos);
    if (idx < 0) {
      this.state = this.eof;
      this.tokenLen = this.len - this.pos;
    } else {
      this.state = this.data;
      this.tokenLen = idx - this.pos;
      this.pos = idx + 1;
    }
    return true;
  };
}

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}
