/**
 * Reduces a word to the stem its inflections share, so a keyword matches "test", "tests", "tested" and "testing" while
 * "latest" and "contest" stay other words. It is Porter's steps 1 and 5a (the inflectional suffixes -s, -ed, -ing, -y, -e),
 * preceded by spelling folds (British -ise/-yse to -ize/-yze, -ysis to -yze) and a few irregular forms. Derived words
 * ("documentation" from "document") are distinct on purpose: rules list them as synonyms where they mean the same work.
 * Both keywords and task text go through this one function, so only consistency matters, not linguistic truth.
 */
export function stemWord(word: string): string {
  const irregular = IRREGULAR_FORMS.get(word);
  if (irregular !== undefined) return stripInflection(irregular);
  if (word.length <= 3) return word;
  return stripInflection(foldSpelling(word));
}

const IRREGULAR_FORMS: ReadonlyMap<string, string> = new Map([
  ['built', 'build'],
  ['rebuilt', 'rebuild'],
  ['wrote', 'write'],
  ['written', 'write'],
  ['rewrote', 'rewrite'],
  ['rewritten', 'rewrite'],
  ['ran', 'run'],
  ['broke', 'break'],
  ['broken', 'break'],
  ['chose', 'choose'],
  ['chosen', 'choose'],
  ['drew', 'draw'],
  ['drawn', 'draw'],
  ['began', 'begin'],
  ['begun', 'begin'],
  ['took', 'take'],
  ['taken', 'take'],
  ['led', 'lead'],
]);

const SPELLING_FOLDS: readonly (readonly [RegExp, string])[] = [
  [/ysis$/, 'yze'],
  [/yses$/, 'yzes'],
  [/ys(e|es|ed|ing)$/, 'yz$1'],
  [/isation(s?)$/, 'ization$1'],
  [/is(e|es|ed|ing)$/, 'iz$1'],
];

function foldSpelling(word: string): string {
  for (const [pattern, replacement] of SPELLING_FOLDS) {
    if (pattern.test(word)) return word.replace(pattern, replacement);
  }
  return word;
}

function stripInflection(word: string): string {
  return stripFinalE(replaceFinalY(stripEdIng(stripPlural(word))));
}

/** Porter's step 5a, so "schedule" meets "scheduled" (whose -ed leaves "schedul") while "code" keeps its e. */
function stripFinalE(word: string): string {
  if (!word.endsWith('e')) return word;
  const stem = word.slice(0, -1);
  const runs = measure(stem);
  return runs > 1 || (runs === 1 && !endsConsonantVowelConsonant(stem)) ? stem : word;
}

function stripPlural(word: string): string {
  if (word.endsWith('sses')) return word.slice(0, -2);
  if (word.endsWith('ies')) return word.slice(0, -2);
  if (word.endsWith('ss') || word.endsWith('us')) return word;
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

function stripEdIng(word: string): string {
  if (word.endsWith('eed')) return measure(word.slice(0, -3)) > 0 ? word.slice(0, -1) : word;
  const suffix = word.endsWith('ed') ? 2 : word.endsWith('ing') ? 3 : 0;
  if (suffix === 0) return word;
  const stem = word.slice(0, -suffix);
  if (!hasVowel(stem) || stem.length < 2) return word;
  return restoreStemEnding(stem);
}

/** After -ed/-ing is removed: "hopp" → "hop", "hop" → "hope", "analyz" → "analyze", as Porter's step 1b does. */
function restoreStemEnding(stem: string): string {
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return `${stem}e`;
  const last = stem.at(-1) ?? '';
  if (last === stem.at(-2) && isConsonant(stem, stem.length - 1) && !'lsz'.includes(last)) return stem.slice(0, -1);
  if (measure(stem) === 1 && endsConsonantVowelConsonant(stem)) return `${stem}e`;
  return stem;
}

function replaceFinalY(word: string): string {
  return word.endsWith('y') && hasVowel(word.slice(0, -1)) ? `${word.slice(0, -1)}i` : word;
}

function isConsonant(word: string, index: number): boolean {
  const letter = word[index];
  if (letter === undefined) return false;
  if ('aeiou'.includes(letter)) return false;
  if (letter === 'y') return index === 0 || !isConsonant(word, index - 1);
  return true;
}

function hasVowel(word: string): boolean {
  for (let index = 0; index < word.length; index += 1) if (!isConsonant(word, index)) return true;
  return false;
}

/** Porter's m: how many vowel-consonant runs the stem has ("tr" 0, "trouble" 1, "troubles" 2). */
function measure(word: string): number {
  let runs = 0;
  let previousVowel = false;
  for (let index = 0; index < word.length; index += 1) {
    const vowel = !isConsonant(word, index);
    if (previousVowel && !vowel) runs += 1;
    previousVowel = vowel;
  }
  return runs;
}

function endsConsonantVowelConsonant(word: string): boolean {
  const length = word.length;
  if (length < 3) return false;
  const last = word[length - 1] ?? '';
  return isConsonant(word, length - 3) && !isConsonant(word, length - 2) && isConsonant(word, length - 1) && !'wxy'.includes(last);
}
