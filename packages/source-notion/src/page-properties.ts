import type { PageObjectResponse } from '@notionhq/client';

type PropertyValue = PageObjectResponse['properties'][string];
type UserValue = Extract<PropertyValue, { type: 'created_by' }>['created_by'];
type DateValue = Extract<PropertyValue, { type: 'date' }>['date'];
type RollupItem = Extract<Extract<PropertyValue, { type: 'rollup' }>['rollup'], { type: 'array' }>['array'][number];

/** A JSON value a rule's `when` condition can read under `properties`. */
export type PropertyFact = string | number | boolean | null | readonly PropertyFact[] | { readonly [key: string]: PropertyFact };

/** A page property left out of the task's properties, and why (for a warning). */
export interface SkippedProperty {
  readonly name: string;
  readonly reason: string;
}

/** A page's properties as facts for the rules, keyed by `propertyKey`, and the properties that could not be read. */
export interface PagePropertyReading {
  readonly facts: Readonly<Record<string, PropertyFact>>;
  readonly skipped: readonly SkippedProperty[];
}

/**
 * The key a property's value goes under: its name in camelCase ("Due date" -> `dueDate`, "Team" -> `team`), so that a
 * rule reads it as `path: $.dueDate.start`. Letters of any script are kept; a name with no letters or digits has no key.
 */
export function propertyKey(name: string): string {
  const words = name.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words
    .map((word, index) => {
      const lower = word.toLowerCase();
      return index === 0 ? lower : lower.charAt(0).toUpperCase() + lower.slice(1);
    })
    .join('');
}

/** The text of a Notion rich-text array (a title, a text property, a comment), without its formatting. */
export function plainText(items: readonly { readonly plain_text: string }[]): string {
  return items.map((item) => item.plain_text).join('');
}

function dateFact(date: DateValue): PropertyFact {
  return date === null ? null : { start: date.start, end: date.end, timeZone: date.time_zone };
}

/** A user by id and, when the integration may read user information, name. */
function userFact(user: UserValue): PropertyFact {
  return { id: user.id, name: 'name' in user ? user.name : null };
}

function formulaFact(formula: Extract<PropertyValue, { type: 'formula' }>['formula']): PropertyFact {
  switch (formula.type) {
    case 'string':
      return formula.string;
    case 'number':
      return formula.number;
    case 'boolean':
      return formula.boolean;
    case 'date':
      return dateFact(formula.date);
    default:
      return null;
  }
}

/** A rollup's value: a number or a date as such, an array as the facts of its values. */
function rollupFact(rollup: Extract<PropertyValue, { type: 'rollup' }>['rollup']): PropertyFact | undefined {
  switch (rollup.type) {
    case 'number':
      return rollup.number;
    case 'date':
      return dateFact(rollup.date);
    case 'array':
      return rollup.array.flatMap((item: RollupItem) => {
        const fact = propertyFact(item);
        return fact === undefined ? [] : [fact];
      });
    default:
      return null;
  }
}

/**
 * A property value as a plain JSON fact: text as a string, options as names, a date as `{start, end, timeZone}`, people
 * as `{ids, names}`, a relation as page ids, files as their names (a Notion-hosted file's URL is signed and expires
 * within the hour: useless to a rule, and a key to the file in a log). Undefined for a type this source does not know
 * (one Notion added later) and for buttons, which hold no value.
 */
function propertyFact(value: PropertyValue | RollupItem): PropertyFact | undefined {
  switch (value.type) {
    case 'title':
      return plainText(value.title);
    case 'rich_text':
      return plainText(value.rich_text);
    case 'number':
      return value.number;
    case 'checkbox':
      return value.checkbox;
    case 'url':
      return value.url;
    case 'email':
      return value.email;
    case 'phone_number':
      return value.phone_number;
    case 'status':
      return value.status?.name ?? null;
    case 'select':
      return value.select?.name ?? null;
    case 'multi_select':
      return value.multi_select.map((option) => option.name);
    case 'date':
      return dateFact(value.date);
    case 'people':
      return {
        ids: value.people.map((person) => person.id),
        names: value.people.flatMap((person) => ('name' in person && person.name !== null ? [person.name] : [])),
      };
    case 'relation':
      return value.relation.map((page) => page.id);
    case 'files':
      return value.files.map((file) => file.name);
    case 'created_time':
      return value.created_time;
    case 'last_edited_time':
      return value.last_edited_time;
    case 'created_by':
      return userFact(value.created_by);
    case 'last_edited_by':
      return userFact(value.last_edited_by);
    case 'formula':
      return formulaFact(value.formula);
    case 'rollup':
      return rollupFact(value.rollup);
    case 'unique_id':
      return { prefix: value.unique_id.prefix, number: value.unique_id.number };
    case 'verification':
      return value.verification?.state ?? 'unverified';
    case 'place':
      return value.place === null ? null : { name: value.place.name ?? null, lat: value.place.lat, lon: value.place.lon };
    default:
      return undefined;
  }
}

/** Which properties `readPageProperties` leaves alone. */
export interface PropertyReadingRules {
  /** Keys the source's own fields use: a property whose key is one of them is skipped, with a reason. */
  readonly reservedKeys: ReadonlySet<string>;
  /** Properties the task already carries in its own fields (title, status, ...): skipped without a word. */
  readonly mappedNames: ReadonlySet<string>;
}

/**
 * Reads every property of a page as a fact under its `propertyKey`, in name order so that of two names with one key the
 * same one always wins. A property of an unknown type, whose name makes no key, or whose key is reserved or taken, is
 * skipped and named in `skipped`: a sync never fails over a property.
 */
export function readPageProperties(
  properties: PageObjectResponse['properties'],
  { reservedKeys, mappedNames }: PropertyReadingRules,
): PagePropertyReading {
  const facts: Record<string, PropertyFact> = {};
  const skipped: SkippedProperty[] = [];
  for (const name of Object.keys(properties).sort()) {
    const value = properties[name];
    if (value === undefined || value.type === 'button' || mappedNames.has(name)) continue;
    const key = propertyKey(name);
    const fact = propertyFact(value);
    if (fact === undefined) skipped.push({ name, reason: `its type "${String(value.type)}" is unknown to this source` });
    else if (key === '') skipped.push({ name, reason: 'its name has no letters or digits to make a key of' });
    else if (reservedKeys.has(key) || Object.hasOwn(facts, key)) {
      skipped.push({ name, reason: `its key "${key}" is taken; rename it in Notion to read it` });
    } else facts[key] = fact;
  }
  return { facts, skipped };
}
