/**
 * The few vCard properties an abuse contact needs, read from RDAP's jCard (RFC 7095):
 * `["vcard", [[name, params, type, value…]…]]`. Registries differ in what they fill in, so
 * every property is optional and malformed ones are ignored.
 */
export interface ContactCard {
  /** Formatted name (`fn`): a person, a role such as "Abuse", or an organisation. */
  readonly name: string | null;
  readonly org: string | null;
  readonly emails: readonly string[];
}

export function readJCard(vcardArray: unknown): ContactCard {
  const card: { name: string | null; org: string | null; emails: string[] } = { name: null, org: null, emails: [] };
  if (!Array.isArray(vcardArray) || vcardArray[0] !== 'vcard' || !Array.isArray(vcardArray[1])) return card;
  for (const property of vcardArray[1]) {
    if (!Array.isArray(property) || typeof property[0] !== 'string') continue;
    const value = textValue(property.slice(3));
    if (value === null) continue;
    switch (property[0].toLowerCase()) {
      case 'fn':
        card.name ??= value;
        break;
      case 'org':
        card.org ??= value;
        break;
      case 'email': {
        // Some registries write a `mailto:` URI where the text value belongs.
        const email = value.replace(/^mailto:/i, '');
        if (!card.emails.includes(email)) card.emails.push(email);
        break;
      }
    }
  }
  return card;
}

/** A property's value as one string: structured values (arrays) are joined, as `org` often is. */
function textValue(values: readonly unknown[]): string | null {
  const parts = values.flat(2).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return parts.length > 0 ? parts.join(' ').trim() : null;
}
