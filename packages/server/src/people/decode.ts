import iconv from 'iconv-lite';
import { LwError } from '../errors.js';

export type InputEncoding = 'utf-8' | 'shift_jis';

/**
 * Turns a byte stream into text. UTF-8 is decoded strictly (a Shift_JIS file read as UTF-8 would
 * otherwise import mojibake addresses silently) and a leading BOM is dropped; Shift_JIS (the
 * default encoding of Excel's CSV export in Japan, cp932) goes through iconv-lite.
 */
export async function* decodeText(
  bytes: AsyncIterable<Uint8Array>,
  encoding: InputEncoding,
): AsyncGenerator<string> {
  if (encoding === 'shift_jis') {
    const decoder = iconv.getDecoder('cp932');
    for await (const chunk of bytes) {
      const text = decoder.write(Buffer.from(chunk));
      if (text) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    for await (const chunk of bytes) {
      const text = decoder.decode(chunk, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (error) {
    if (error instanceof TypeError) {
      throw new LwError(
        'LW_VALIDATION',
        'the file is not valid UTF-8; if it is Shift_JIS, pass encoding shift_jis',
      );
    }
    throw error;
  }
}
