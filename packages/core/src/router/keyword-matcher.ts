import { stemWord } from './word-stem.js';

/** A word of a text: its stem, and where it was written (for showing the words that matched). */
export interface TextToken {
  readonly stem: string;
  readonly start: number;
  readonly end: number;
}

// Letters and digits; an apostrophe inside a word joins it ("don't", "team's"), anything else separates words, so
// "end-to-end" is three words and "CI/CD" two: a keyword phrase "end to end" matches either spelling.
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const PLAIN_WORD = /^[a-z0-9]+$/;
const STEM_CACHE_LIMIT = 20_000;

/**
 * Splits text into stemmed words. Case and diacritics are folded ("Möngke" meets "mongke"). Stems are memoised in a
 * bounded cache because task titles repeat the same few hundred words; the bound keeps hostile text from growing it.
 */
export function tokenizeText(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  const words = new RegExp(WORD);
  for (let match = words.exec(text); match !== null; match = words.exec(text)) {
    tokens.push({ stem: stemOf(match[0]), start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

const stemCache = new Map<string, string>();

function stemOf(written: string): string {
  const cached = stemCache.get(written);
  if (cached !== undefined) return cached;
  let word = written.toLowerCase();
  if (!PLAIN_WORD.test(word)) word = word.normalize('NFD').replace(/\p{M}|['’]/gu, '');
  const stem = stemWord(word);
  if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
  stemCache.set(written, stem);
  return stem;
}

/** A keyword of a rule, compiled: which rule it belongs to and the stems of its words. */
interface CompiledKeyword {
  readonly rule: number;
  readonly keyword: string;
  readonly stems: readonly string[];
}

/** One keyword found in a text. */
export interface KeywordMatch {
  readonly rule: number;
  readonly keyword: string;
  /** Offsets of the matched words in the text, for quoting them as written. */
  readonly start: number;
  readonly end: number;
}

/**
 * Every rule's keywords compiled into one lookup: a map from a phrase's first stem to the phrases starting with it. A
 * text is read once, word by word, so matching costs the same however many rules there are.
 */
export class KeywordMatcher {
  readonly #byFirstStem = new Map<string, CompiledKeyword[]>();

  /** Adds a rule's keyword. Answers false when the keyword holds no word at all (only punctuation), which cannot match. */
  add(rule: number, keyword: string): boolean {
    const stems = tokenizeText(keyword).map((token) => token.stem);
    const [first] = stems;
    if (first === undefined) return false;
    const list = this.#byFirstStem.get(first) ?? [];
    list.push({ rule, keyword, stems });
    this.#byFirstStem.set(first, list);
    return true;
  }

  /** Every keyword occurrence in the tokens, in text order. */
  match(tokens: readonly TextToken[]): KeywordMatch[] {
    const matches: KeywordMatch[] = [];
    for (let index = 0; index < tokens.length; index += 1) {
      const token = tokens[index] as TextToken;
      const candidates = this.#byFirstStem.get(token.stem);
      if (candidates === undefined) continue;
      for (const candidate of candidates) {
        const last = phraseEnd(tokens, index, candidate.stems);
        if (last !== undefined) matches.push({ rule: candidate.rule, keyword: candidate.keyword, start: token.start, end: last.end });
      }
    }
    return matches;
  }
}

/** The phrase's last token when the phrase's stems follow from `index` on, else undefined. */
function phraseEnd(tokens: readonly TextToken[], index: number, stems: readonly string[]): TextToken | undefined {
  for (let offset = 1; offset < stems.length; offset += 1) {
    if (tokens[index + offset]?.stem !== stems[offset]) return undefined;
  }
  return tokens[index + stems.length - 1];
}
