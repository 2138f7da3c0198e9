/**
 * VERP (variable envelope return path): each notice goes out with its own envelope sender,
 * `bounces+<notice id>@bounce.example.org`, so a bounce names the notice it is about even when the
 * DSN quotes nothing useful. The notice id is an opaque UUID: the return path carries no address.
 */
export const verpAddress = (bounceAddress: string, noticeId: string): string => {
  const at = bounceAddress.lastIndexOf('@');
  return `${bounceAddress.slice(0, at)}+${noticeId}${bounceAddress.slice(at)}`;
};

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const verpPattern = new RegExp(`\\+(${uuid})@`, 'i');

/** The notice id inside a VERP address, or null. */
export const noticeIdFromVerp = (address: string): string | null =>
  verpPattern.exec(address)?.[1]?.toLowerCase() ?? null;
