import type { Html5Core, State } from './html5Core.js';

/**
 * The HTML5 tokenizer's markup states (libinjection_html5.c): comments, bogus comments, CDATA
 * and doctypes, the states reached after `<!`, `<?` and `<%`.
 */
export function markupStates(h: Html5Core): {
  bogusComment: State;
  bogusComment2: State;
  markupDeclarationOpen: State;
} {
  const bogusComment: State = () => {
    const idx = h.s.indexOf('>', h.pos);
    if (idx < 0) {
      h.token('tagComment', h.pos, h.len - h.pos);
      h.pos = h.len;
      h.state = h.eof;
    } else {
      h.token('tagComment', h.pos, idx - h.pos);
      h.pos = idx + 1;
      h.state = h.data;
    }
    return true;
  };

  /** `<% … %>`: a comment to old IE and Safari. */
  const bogusComment2: State = () => {
    let pos = h.pos;
    for (;;) {
      const idx = h.s.indexOf('%', pos);
      if (idx < 0 || idx + 1 >= h.len) {
        h.token('tagComment', h.pos, h.len - h.pos);
        h.pos = h.len;
        h.state = h.eof;
        return true;
      }
      if (h.s[idx + 1] !== '>') {
        pos = idx + 1;
        continue;
      }
      h.token('tagComment', h.pos, idx - h.pos);
      h.pos = idx + 2;
      h.state = h.data;
      return true;
    }
  };

  const markupDeclarationOpen: State = () => {
    const rest = h.s.slice(h.pos, h.pos + 7);
    if (/^doctype$/i.test(rest)) return doctype();
    if (rest === '[CDATA[') {
      h.pos += 7;
      return cdata();
    }
    if (rest.startsWith('--')) {
      h.pos += 2;
      return comment();
    }
    return bogusComment();
  };

  const comment: State = () => {
    const end = h.len;
    let pos = h.pos;
    const toEof = () => {
      h.state = h.eof;
      h.token('tagComment', h.pos, h.len - h.pos);
      return true;
    };
    for (;;) {
      const idx = h.s.indexOf('-', pos);
      if (idx < 0 || idx > end - 3) return toEof();
      let offset = 1;
      while (idx + offset < end && h.code(idx + offset) === 0) offset += 1;
      if (idx + offset === end) return toEof();
      let c = h.code(idx + offset);
      if (c !== 0x2d && c !== 0x21) {
        pos = idx + 1;
        continue;
      }
      offset += 1;
      if (idx + offset === end) return toEof();
      c = h.code(idx + offset);
      if (c !== 0x3e) {
        pos = idx + 1;
        continue;
      }
      offset += 1;
      h.token('tagComment', h.pos, idx - h.pos);
      h.pos = idx + offset;
      h.state = h.data;
      return true;
    }
  };

  const cdata: State = () => {
    let pos = h.pos;
    for (;;) {
      const idx = h.s.indexOf(']', pos);
      if (idx < 0 || idx > h.len - 3) {
        h.state = h.eof;
        h.token('dataText', h.pos, h.len - h.pos);
        return true;
      }
      if (h.s[idx + 1] === ']' && h.s[idx + 2] === '>') {
        h.state = h.data;
        h.token('dataText', h.pos, idx - h.pos);
        h.pos = idx + 3;
        return true;
      }
      pos = idx + 1;
    }
  };

  const doctype: State = () => {
    h.tokenStart = h.pos;
    h.tokenType = 'doctype';
    const idx = h.s.indexOf('>', h.pos);
    if (idx < 0) {
      h.state = h.eof;
      h.tokenLen = h.len - h.pos;
    } else {
      h.state = h.data;
      h.tokenLen = idx - h.pos;
      h.pos = idx + 1;
    }
    return true;
  };
  return { bogusComment, bogusComment2, markupDeclarationOpen };
}
