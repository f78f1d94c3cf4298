import type { Logger } from '@kurultai/core';

/** A logger for benchmarks: the plugin's debug and info lines would drown the figures; its warnings and errors still show. */
export const warningsOnly: Logger = {
  debug() {},
  info() {},
  warn: (message, fields) => console.warn(message, fields),
  error: (message, fields) => console.error(message, fields),
};
