import { watch } from 'node:fs';
import { describeError, KurultaiError, type Problem } from '../errors.js';
import type { Council } from '../router/council.js';
import type { Emit } from './events.js';

/** What reloading the rules needs: where they are, how to load them, and where a new council goes. */
export interface RulesReloadOptions {
  readonly dir: string;
  /** Loads and compiles the whole rules folder; throws a `KurultaiError` carrying every problem of a broken edit. */
  readonly loadCouncil: (dir: string) => Promise<Council>;
  readonly onCouncil: (council: Council) => void;
  readonly emit: Emit;
  /** Editors write a file in several steps (truncate, write, rename); changes closer together than this are one edit. */
  readonly settleMs?: number;
}

/**
 * Watches the rules folder and puts a freshly loaded council in force after each edit. A broken edit is reported with
 * every problem and the council in force stays, so a typo in `routing.yaml` never stops a running dispatcher. Answers a
 * function that stops watching.
 */
export function watchRules(options: RulesReloadOptions): () => void {
  const settleMs = options.settleMs ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let reloading: Promise<void> = Promise.resolve();
  const reload = async (): Promise<void> => {
    try {
      const council = await options.loadCouncil(options.dir);
      options.onCouncil(council);
      options.emit('onRulesReload', { outcome: 'applied', agents: council.agents.length });
    } catch (error) {
      options.emit('onRulesReload', { outcome: 'rejected', problems: problemsOf(error, options.dir) });
    }
  };
  const watcher = watch(options.dir, { persistent: false }, () => {
    clearTimeout(timer);
    // Reloads run one after another, so an older, slower load can never replace a newer council.
    timer = setTimeout(() => (reloading = reloading.then(reload)), settleMs);
  });
  watcher.on('error', (error) => options.emit('onError', { stage: 'route', error: `watching ${options.dir}: ${describeError(error)}` }));
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

function problemsOf(error: unknown, dir: string): readonly Problem[] {
  if (error instanceof KurultaiError) return error.problems;
  return [{ place: { file: dir }, message: describeError(error) }];
}
