import { tokenizeText, type TextToken } from '../router/keyword-matcher.js';
import { DESCRIPTION_SCAN_LIMIT } from '../router/route-task.js';

/**
 * The words a fitted rule can hold: every word of a task and every pair of adjacent words, as the router's keyword
 * matcher sees them (stemmed, case and accents folded; title and description read apart, the description up to the
 * router's scan limit). Learning on exactly what routing matches means a fitted weight fires on the tasks it was
 * learned from, and on no others.
 *
 * Each feature is keyed by its stems ("unit test") and carries a way to write it that the matcher reads back to the
 * same stems ("unit tests"), for the rules file.
 */
export type TaskFeatures = ReadonlyMap<string, string>;

// Function words tell nothing about the work and would fill the fitted file with noise. Negations and time words stay:
// "does not load when" is how bug reports read.
const FUNCTION_WORDS = new Set(['a', 'an', 'the', 'to', 'of', 'for', 'in', 'on', 'at', 'by', 'with', 'from', 'and', 'or', 'is', 'are', 'be', 'it', 'its', 'this', 'that', 'as', 'we', 'our', 'us', 'i', 'my', 'you', 'your']);
const NUMBER = /^\d+$/;

export function taskFeatures(title: string, description: string | undefined): TaskFeatures {
  const features = new Map<string, string>();
  addTextFeatures(features, title);
  if (description !== undefined && description !== '') addTextFeatures(features, description.slice(0, DESCRIPTION_SCAN_LIMIT));
  return features;
}

function addTextFeatures(features: Map<string, string>, text: string): void {
  const tokens = tokenizeText(text);
  const written = (token: TextToken) => text.slice(token.start, token.end).toLowerCase();
  for (const [index, token] of tokens.entries()) {
    if (isContentWord(token.stem) && !features.has(token.stem)) features.set(token.stem, written(token));
    const next = tokens[index + 1];
    if (next === undefined || NUMBER.test(token.stem) || NUMBER.test(next.stem)) continue;
    if (FUNCTION_WORDS.has(token.stem) && FUNCTION_WORDS.has(next.stem)) continue;
    const pair = `${token.stem} ${next.stem}`;
    if (!features.has(pair)) features.set(pair, `${written(token)} ${written(next)}`);
  }
}

function isContentWord(stem: string): boolean {
  return !FUNCTION_WORDS.has(stem) && !NUMBER.test(stem);
}
