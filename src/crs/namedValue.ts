/** A variable's value as a rule sees it: `ARGS:id` and its bytes. */
export interface NamedValue {
  readonly name: string;
  readonly value: string;
}

/** A collection's members as rules see them: `NAME:key` names, and the keys for selectors. */
export interface NamedMembers {
  readonly values: NamedValue[];
  readonly keys: readonly string[];
  /** The keys lowercased, made at the first `NAME:key` lookup (keys compare case-insensitively). */
  lower?: readonly string[];
}
