/**
 * Untrusted text (task titles, errors from agents) made safe for a terminal: control characters and bidirectional
 * overrides, which could move the cursor, rewrite the screen or disguise text, become `?`, and the text is cut to
 * `width` characters.
 */
export function terminalSafe(text: string, width: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}
