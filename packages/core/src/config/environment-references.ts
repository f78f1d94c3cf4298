import type { Place, Problem } from '../errors.js';
import type { Secrets } from '../logging/secrets.js';

/** `${NAME}`, or `$${...}` for a literal `${...}`. */
const REFERENCE = /\$(\$?)\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Replaces `${VAR}` references in every string of a parsed config with the environment's values, and registers each
 * value as a secret, since a config references the environment precisely for what must not be written in it (tokens).
 * A missing or malformed reference is a problem at its place; all of them are reported together.
 */
export function resolveEnvironmentReferences(
  data: unknown,
  env: Readonly<Record<string, string | undefined>>,
  secrets: Secrets,
  placeOf: (path: readonly PropertyKey[]) => Place,
): { readonly value: unknown; readonly problems: readonly Problem[] } {
  const problems: Problem[] = [];
  const substitute = (text: string, path: readonly PropertyKey[]): string =>
    text.replace(REFERENCE, (whole, escaped: string, name: string) => {
      if (escaped === '$') return whole.slice(1);
      if (!VARIABLE_NAME.test(name)) {
        problems.push({ place: placeOf(path), message: `"\${${name}}" is not an environment variable reference (letters, digits, _)` });
        return whole;
      }
      const value = env[name];
      if (value === undefined) {
        problems.push({ place: placeOf(path), message: `environment variable ${name} is not set` });
        return whole;
      }
      secrets.add(value);
      return value;
    });
  const walk = (value: unknown, path: readonly PropertyKey[]): unknown => {
    if (typeof value === 'string') return substitute(value, path);
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return value;
  };
  return { value: walk(data, []), problems };
}
