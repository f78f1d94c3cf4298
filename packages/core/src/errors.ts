/** Where a problem is: a file position, a task, a plugin, or several of these. */
export interface Place {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly taskId?: string;
  readonly plugin?: string;
}

/** Formats a place the way editors and terminals link it: `path:line:col`, then `task <id>` and `plugin <name>`. */
export function formatPlace(place: Place): string {
  const parts: string[] = [];
  if (place.file !== undefined) {
    parts.push([place.file, place.line, place.column].filter((p) => p !== undefined).join(':'));
  }
  if (place.taskId !== undefined) parts.push(`task ${place.taskId}`);
  if (place.plugin !== undefined) parts.push(`plugin ${place.plugin}`);
  return parts.join(' ');
}

/** One problem found in user input (a rules file, a config file, a task). */
export interface Problem {
  readonly place: Place;
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  const where = formatPlace(problem.place);
  return where === '' ? problem.message : `${where}: ${problem.message}`;
}

/**
 * Every error Kurultai raises on purpose: a stable `code` for programs, a one-line human message, and the place.
 * `problems` holds every problem when there were several (a rules file is reported whole, never the first error only).
 */
export class KurultaiError extends Error {
  override readonly name = 'KurultaiError';
  readonly code: string;
  readonly place: Place;
  readonly problems: readonly Problem[];

  constructor(code: string, message: string, options: { place?: Place; problems?: readonly Problem[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.place = options.place ?? {};
    this.problems = options.problems ?? [{ place: this.place, message }];
  }

  /** The message with its place in front, as the CLI prints it. */
  override toString(): string {
    return formatProblem({ place: this.place, message: this.message });
  }
}

/** One line for any thrown value: error messages are shown to users and stored, stacks are not. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
