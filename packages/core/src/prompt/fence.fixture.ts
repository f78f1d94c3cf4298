/** For prompt tests: the fence lines of a prompt, as the prompt announces them. */
export function fence(prompt: string): { open: string; close: string } {
  const tag = /"<<<TASK ([0-9a-f]{32})"/.exec(prompt)?.[1];
  if (tag === undefined) throw new Error('the prompt names no fence');
  return { open: `<<<TASK ${tag}`, close: `TASK ${tag}>>>` };
}

/** What lies between a prompt's fence lines. */
export function fencedData(prompt: string): string {
  const { open, close } = fence(prompt);
  const lines = prompt.split('\n');
  return lines.slice(lines.indexOf(open) + 1, lines.lastIndexOf(close)).join('\n');
}
