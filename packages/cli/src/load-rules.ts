import { loadCouncil, type CompiledCouncil } from '@kurultai/core';
import { isAbsolute, relative } from 'node:path';

/** Loads the council of a rules folder, or throws the loader's error with every problem in it. */
export function loadRules(dir: string, cwd: string): Promise<CompiledCouncil> {
  return loadCouncil(displayPath(dir, cwd));
}

/** A path as the user would type it: relative to the working directory when inside it, so problems read `rules/x.yaml:3:5`. */
export function displayPath(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  if (inside === '') return '.';
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}
