/** Fields shown on one line must stay on one line, or a title could forge the layout of the lines after it. */
export function oneLine(text: string): string {
  return withoutControlCharacters(text).replace(/\s+/g, ' ').trim();
}

/**
 * Without the control characters (other than newline and tab) and direction marks and overrides that can hide text
 * from a human reviewer or drive a terminal; line ends made `\n`.
 */
export function withoutControlCharacters(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}
