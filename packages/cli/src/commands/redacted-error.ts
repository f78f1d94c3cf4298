import { describeError, KurultaiError, type Place, type Secrets } from '@kurultai/core';

/**
 * The error with every secret the config resolved masked in its message, problems and places, ready for the CLI to
 * print. A plugin's error may quote what it was given (a path, a URL with a token); the user must never see the token.
 */
export function redactedError(error: unknown, secrets: Secrets | undefined): unknown {
  if (secrets === undefined || secrets.size === 0) return error;
  const mask = (text: string) => secrets.redact(text);
  const maskPlace = (place: Place): Place => ({ ...place, ...(place.file === undefined ? {} : { file: mask(place.file) }) });
  if (error instanceof KurultaiError) {
    return new KurultaiError(error.code, mask(error.message), {
      place: maskPlace(error.place),
      problems: error.problems.map((problem) => ({ place: maskPlace(problem.place), message: mask(problem.message) })),
    });
  }
  return new Error(mask(describeError(error)));
}
