const STYLES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39] } as const;

export type Style = keyof typeof STYLES;

/** Styles text with ANSI codes, or leaves it plain when colours are off (NO_COLOR, or not a terminal). */
export function paint(color: boolean, style: Style, text: string): string {
  if (!color) return text;
  const [open, close] = STYLES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/**
 * Whether to use colours: never when NO_COLOR is set to anything non-empty (https://no-color.org); otherwise when
 * FORCE_COLOR asks for it or standard output is a terminal.
 */
export function wantsColor(env: Readonly<Record<string, string | undefined>>, isTerminal: boolean): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return isTerminal;
}
