/**
 * A tagged template that HTML-escapes every interpolated value unless it is a `Safe` fragment
 * produced by this module. Pages are built only with it, so a value from the database or a form
 * (an incident text, a typed address) can never become markup.
 */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const replacements: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => replacements[c] as string);

type Value = string | number | Safe | null | undefined | false | Value[];

const render = (value: Value): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Safe) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

export const html = (strings: TemplateStringsArray, ...values: Value[]): Safe =>
  new Safe(
    strings.reduce(
      (out, s, i) => out + s + (i < values.length ? render(values[i] as Value) : ''),
      '',
    ),
  );
