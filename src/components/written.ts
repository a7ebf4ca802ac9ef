import { html, type TemplateResult } from 'lit';

/**
 * Text that people write (names, chat messages, ideas) has a direction of its own, which the UI's
 * need not share: an English name in an Arabic sentence, an Arabic message in an English panel.
 * Set in without isolation, its neutral characters take the UI's side and it is reordered: "Boris
 * (Kyiv)" in an Arabic toast shows as "(Boris (Kyiv", "first question?" as "?first question".
 * Alone it is a `<bdi>` (or `dir="auto"`); inside a UI sentence, this places it.
 */

const PLACEHOLDER = /\uE000(\d+)\uE001/;

/**
 * A UI sentence with what people wrote set into it: `sentence(t.personLeft, name)`. The sentence
 * keeps the UI's direction; each string argument becomes a `<bdi>`, which takes the direction of its
 * own first letter and neither reorders the sentence nor is reordered by it. A template argument is
 * set in as it is (isolate inside it what needs it). The text is the translation's own, so
 * `textContent` reads as the string would.
 */
export function sentence(format: (...args: string[]) => string, ...args: Array<string | TemplateResult>): TemplateResult {
  // Private-use characters no translation contains: the format places them, then they are replaced.
  const parts = format(...args.map((_, i) => `\uE000${i}\uE001`)).split(PLACEHOLDER);
  return html`${parts.map((part, i) => {
    if (i % 2 === 0) return part;
    const arg = args[Number(part)];
    return typeof arg === 'string' ? html`<bdi>${arg}</bdi>` : arg;
  })}`;
}

/** A person's name as written, or for oneself the UI's "Name (you)" around it. */
export function personName(t: { you: (name: string) => string }, name: string, self: boolean): TemplateResult {
  return self ? sentence(t.you, name) : html`<bdi>${name}</bdi>`;
}

/** Names listed the UI's way ("Amina, Wei and Boris"), each isolated. */
export function nameList(locale: string, names: readonly string[]): TemplateResult {
  return html`${new Intl.ListFormat(locale).formatToParts(names).map((p) => (p.type === 'element' ? html`<bdi>${p.value}</bdi>` : p.value))}`;
}
