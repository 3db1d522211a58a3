import { EOF, type Html5Core, isWhite, type State } from './html5Core.js';

/**
 * The HTML5 tokenizer's attribute-value states (libinjection_html5.c): before a value, the
 * quoted and unquoted values, and what may follow a quoted one.
 */
export function valueStates(h: Html5Core): {
  beforeAttributeValue: State;
  valueDoubleQuote: State;
  valueSingleQuote: State;
  valueBackQuote: State;
} {
  const beforeAttributeValue: State = () => {
    const c = h.skipWhite();
    if (c === EOF) {
      h.state = h.eof;
      return false;
    }
    if (c === 0x22) return valueDoubleQuote();
    if (c === 0x27) return valueSingleQuote();
    if (c === 0x60) return valueBackQuote();
    return valueNoQuote();
  };

  const valueQuote = (quote: string): boolean => {
    if (h.pos > 0) h.pos += 1;
    const idx = h.s.indexOf(quote, h.pos);
    if (idx < 0) {
      h.token('attrValue', h.pos, h.len - h.pos);
      h.state = h.eof;
    } else {
      h.token('attrValue', h.pos, idx - h.pos);
      h.state = afterAttributeValueQuoted;
      h.pos += h.tokenLen + 1;
    }
    return true;
  };

  const valueDoubleQuote: State = () => valueQuote('"');
  const valueSingleQuote: State = () => valueQuote("'");
  const valueBackQuote: State = () => valueQuote('`');

  const valueNoQuote: State = () => {
    let pos = h.pos;
    while (pos < h.len) {
      const c = h.code(pos);
      if (isWhite(c)) {
        h.token('attrValue', h.pos, pos - h.pos);
        h.pos = pos + 1;
        h.state = h.beforeAttributeName;
        return true;
      }
      if (c === 0x3e) {
        h.token('attrValue', h.pos, pos - h.pos);
        h.pos = pos;
        h.state = h.tagNameClose;
        return true;
      }
      pos += 1;
    }
    h.state = h.eof;
    h.token('attrValue', h.pos, h.len - h.pos);
    return true;
  };

  const afterAttributeValueQuoted: State = () => {
    if (h.pos >= h.len) return false;
    const c = h.code(h.pos);
    if (isWhite(c)) {
      h.pos += 1;
      return h.beforeAttributeName();
    }
    if (c === 0x2f) {
      h.pos += 1;
      return h.selfClosingStartTag();
    }
    if (c === 0x3e) {
      h.token('tagNameClose', h.pos, 1);
      h.pos += 1;
      h.state = h.data;
      return true;
    }
    return h.beforeAttributeName();
  };

  return { beforeAttributeValue, valueDoubleQuote, valueSingleQuote, valueBackQuote };
}
