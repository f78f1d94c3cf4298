import type { Logger } from '../plugin.js';
import type { Secrets } from './secrets.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  /** Receives each line, newline included (e.g. `process.stderr.write`). */
  readonly write: (line: string) => void;
  readonly secrets: Secrets;
  /** Lines below this level are dropped. Default `info`. */
  readonly level?: LogLevel;
  /** Fields on every line (e.g. `plugin`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly now?: () => Date;
}

/** A logger that can make a logger with more fields, e.g. the one scoped to a plugin. */
export interface ScopedLogger extends Logger {
  child(fields: Readonly<Record<string, unknown>>): ScopedLogger;
}

/**
 * Structured log lines, one JSON object per line (`time`, `level`, `msg`, then the fields), with every known secret
 * redacted from the message and the fields. The one logger Kurultai and its plugins write through.
 */
export function createJsonLogger(options: JsonLoggerOptions): ScopedLogger {
  const threshold = LEVEL_RANK[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const log = (level: LogLevel) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    if (LEVEL_RANK[level] < threshold) return;
    const line = { time: now().toISOString(), level, msg: message, ...options.fields, ...fields };
    options.write(`${JSON.stringify(options.secrets.redactValue(line))}\n`);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createJsonLogger({ ...options, fields: { ...options.fields, ...fields } }),
  };
}
