import { describe, expect, it } from 'vitest';
import { KeywordMatcher, tokenizeText } from './keyword-matcher.js';

function matchedKeywords(keywords: readonly string[], text: string): string[] {
  const matcher = new KeywordMatcher();
  keywords.forEach((keyword) => matcher.add(0, keyword));
  return matcher.match(tokenizeText(text)).map((match) => match.keyword);
}

describe('KeywordMatcher', () => {
  it.each(['test', 'tests', 'tested', 'testing', 'Testing'])('matches the keyword "test" in the word "%s"', (word) => {
    expect(matchedKeywords(['test'], `${word} the parser`)).toEqual(['test']);
  });

  it.each(['research', 'researching', 'researched', 'researches'])('matches the keyword "research" in "%s"', (word) => {
    expect(matchedKeywords(['research'], `${word} vector databases`)).toEqual(['research']);
  });

  it.each(['analyze', 'analyse', 'analysis', 'analyses', 'analysed', 'analyzing'])('matches the keyword "analyze" in "%s"', (word) => {
    expect(matchedKeywords(['analyze'], `${word} the churn`)).toEqual(['analyze']);
  });

  it.each(['deploy', 'deploys', 'deployed', 'deploying'])('matches the keyword "deploying" in "%s"', (word) => {
    expect(matchedKeywords(['deploying'], `${word} the API`)).toEqual(['deploying']);
  });

  it.each([
    ['test', 'Fetch the latest release'],
    ['test', 'Announce the contest winners'],
    ['test', 'Write a testament'],
    ['code', 'Decode the payload'],
    ['code', 'Encode the payload'],
    ['ops', 'Stop the cron job'],
    ['log', 'Update the blog'],
  ])('does not match the keyword "%s" inside another word: "%s"', (keyword, text) => {
    expect(matchedKeywords([keyword], text)).toEqual([]);
  });

  it('matches a phrase only when its words are consecutive', () => {
    expect(matchedKeywords(['release notes'], 'Write release notes for 2.4')).toEqual(['release notes']);
    expect(matchedKeywords(['release notes'], 'Release the notes app')).toEqual([]);
  });

  it('matches an inflected phrase', () => {
    expect(matchedKeywords(['unit test'], 'Add unit tests for the parser')).toEqual(['unit test']);
  });

  it('treats hyphens, slashes and spaces between words alike', () => {
    expect(matchedKeywords(['end-to-end'], 'Add end to end coverage')).toEqual(['end-to-end']);
    expect(matchedKeywords(['ci cd'], 'Speed up CI/CD')).toEqual(['ci cd']);
  });

  it('ignores case and accents', () => {
    expect(matchedKeywords(['mongke'], 'Ask MÖNGKE')).toEqual(['mongke']);
  });

  it('keeps an apostrophe inside a word', () => {
    expect(matchedKeywords(['team'], "the team's backlog")).toEqual(['team']);
    expect(matchedKeywords(['t'], "don't")).toEqual([]);
  });

  it('refuses a keyword with no letters or digits', () => {
    expect(new KeywordMatcher().add(0, '!!!')).toBe(false);
  });

  it('reports each rule that shares a keyword', () => {
    const matcher = new KeywordMatcher();
    matcher.add(0, 'audit');
    matcher.add(1, 'audit');
    expect(matcher.match(tokenizeText('audit the logs')).map((match) => match.rule)).toEqual([0, 1]);
  });

  it('gives the offsets of the words as written', () => {
    const matcher = new KeywordMatcher();
    matcher.add(0, 'blog post');
    const text = 'Draft a Blog-Post today';
    const [match] = matcher.match(tokenizeText(text));
    expect(match === undefined ? undefined : text.slice(match.start, match.end)).toBe('Blog-Post');
  });
});
