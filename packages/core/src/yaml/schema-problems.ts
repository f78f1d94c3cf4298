import type { z } from 'zod';
import type { Problem } from '../errors.js';
import type { YamlDocument } from './parse-yaml.js';

type Issue = z.core.$ZodIssue;

interface PlacedIssue {
  readonly issue: Issue;
  readonly path: readonly PropertyKey[];
}

/**
 * Turns zod's issues into problems placed on the document. zod reports a failed union at the union with every branch's
 * issues inside; this picks the branch the value evidently meant (the one whose shape fits best), so `operator: nope`
 * is reported at `operator` rather than as "no branch matched". When no branch stands out, the union's own message is
 * reported at the value.
 */
export function schemaProblems(document: YamlDocument, issues: readonly Issue[]): Problem[] {
  return flattenIssues(document.data, issues, []).map(({ issue, path }) => describeIssue(document, issue, path));
}

function flattenIssues(data: unknown, issues: readonly Issue[], base: readonly PropertyKey[]): PlacedIssue[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [{ issue, path }];
    const branch = intendedBranch(valueAt(data, path), issue.errors);
    return branch === undefined ? [{ issue, path }] : flattenIssues(data, branch, path);
  });
}

/** The branch with the fewest complaints about the value's own shape (its type, its missing or unknown fields), if unique. */
function intendedBranch(value: unknown, branches: readonly (readonly Issue[])[]): readonly Issue[] | undefined {
  const counts = branches.map((issues) => issues.filter((issue) => isShapeIssue(value, issue)).length);
  const fewest = Math.min(...counts);
  const best = branches.filter((_, index) => counts[index] === fewest);
  return best.length === 1 ? best[0] : undefined;
}

function isShapeIssue(value: unknown, issue: Issue): boolean {
  if (issue.path.length === 0) return true;
  const [key] = issue.path;
  return issue.path.length === 1 && !hasKey(value, key);
}

function describeIssue(document: YamlDocument, issue: Issue, path: readonly PropertyKey[]): Problem {
  const where = formatPath(path);
  if (issue.code === 'unrecognized_keys') {
    const [first] = issue.keys;
    const place = document.placeOf(first === undefined ? path : [...path, first], { key: true });
    const names = issue.keys.map((key) => `"${key}"`).join(', ');
    return { place, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${names}${where === '' ? '' : ` in ${where}`}` };
  }
  const parent = valueAt(document.data, path.slice(0, -1));
  const missing = path.length > 0 && typeof parent === 'object' && parent !== null && !hasKey(parent, path.at(-1));
  const message = missing ? 'missing field' : issue.message;
  return { place: document.placeOf(path), message: where === '' ? message : `${where}: ${message}` };
}

/** `rules[2].when.all[0].operator`: the path as a reader finds it in the file. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`)).join('');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    if (!hasKey(value, segment)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function hasKey(value: unknown, key: PropertyKey | undefined): boolean {
  return typeof value === 'object' && value !== null && key !== undefined && Object.hasOwn(value, key);
}
