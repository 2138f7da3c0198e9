import { describe, expect, it } from 'vitest';
import { createLogger, memorySink, redactText } from '../src/logger.js';

describe('logger', () => {
  it('writes JSON lines with bindings and masks addresses and sensitive fields', () => {
    const sink = memorySink();
    const log = createLogger(sink, 'info').child({ reqId: 'r1' });
    log.info(
      { email: 'a@example.com', note: 'reply to b.c@example.org please', token: 'lwt_x' },
      'hello c@example.net',
    );
    log.debug('dropped below the level');
    log.error(new Error('send to d@example.com failed'));
    const lines = sink.lines.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      reqId: 'r1',
      email: '[redacted]',
      token: '[redacted]',
      msg: 'hello [email]',
    });
    expect(lines[0].note).toBe('reply to [email] please');
    expect(lines[1].err.message).toBe('send to [email] failed');
    expect(sink.text()).not.toContain('@example');
  });

  it('masks internationalized addresses too', () => {
    expect(redactText('山田@例え.jp and x@xn--r8jz45g.jp')).toBe('[email] and [email]');
  });
});
