/** Values shorter than this cannot be told apart from ordinary text (`3`, `true`), so they are not redacted. */
const MIN_SECRET_LENGTH = 4;
const MASK = '[redacted]';

/**
 * The secret values a running Kurultai knows (every `${VAR}` its config resolved): everything it prints or hands to a
 * plugin's logger goes through `redact`, so a token never reaches a log line or an error message.
 */
export class Secrets {
  #values: string[] = [];

  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.#values.includes(value)) return;
    // Longest first, so a secret containing another is masked whole.
    this.#values = [...this.#values, value].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#values.length;
  }

  /** The text with every known secret masked. */
  redact(text: string): string {
    let masked = text;
    for (const value of this.#values) if (masked.includes(value)) masked = masked.replaceAll(value, MASK);
    return masked;
  }

  /** A JSON-like value with every string in it redacted (keys included), for structured log fields. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Error) return this.redact(value.message);
    if (value instanceof Date) return value;
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.redact(key), this.redactValue(item)]));
    }
    return value;
  }
}
