import { terminalSafe } from './terminal-safe.js';

/** The levels the live view shows; debug and info stay out of the way of the view. */
const SHOWN_LEVELS: ReadonlySet<unknown> = new Set(['warn', 'error']);

/** How many messages the live view keeps, newest first. */
const KEPT = 5;

/**
 * The warnings and errors of the plugins (and of the run itself) for the live view, which owns the terminal and so
 * cannot let log lines through. It takes the lines the redacting JSON logger writes, so what it shows is redacted the
 * same way the logs are; their text came from plugins and tasks, so it is made terminal-safe too.
 */
export class LatestMessages {
  readonly #lines: string[] = [];

  /** Newest first, each `HH:MM:SS level plugin: message (field=value ...)`. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** One JSON log line, as `createJsonLogger` writes it; a line of another level, or not JSON, is left out. */
  readonly write = (line: string): void => {
    const entry = parseEntry(line);
    if (entry === undefined || !SHOWN_LEVELS.has(entry.level)) return;
    const { time, level, msg, plugin, ...fields } = entry;
    const details = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    const text = `${String(time).slice(11, 19)} ${String(level)} ${plugin === undefined ? '' : `${String(plugin)}: `}${String(msg)}${details.length === 0 ? '' : ` (${details.join(' ')})`}`;
    this.#lines.unshift(terminalSafe(text, Number.POSITIVE_INFINITY));
    this.#lines.length = Math.min(this.#lines.length, KEPT);
  };
}

function parseEntry(line: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const entry: unknown = JSON.parse(line);
    return entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
