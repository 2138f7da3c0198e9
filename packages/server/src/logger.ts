import type { FastifyBaseLogger } from 'fastify';

/**
 * A small structured (JSON lines) logger that Fastify accepts as its `loggerInstance`. Every line
 * goes through `redact` before it is written, so an email address or a secret that slips into a
 * log call is masked there rather than relying on each caller to remember.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const levels: Record<LogLevel | 'silent', number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

const emailPattern =
  /[^\s"'<>@,;:()[\]\\]{1,64}@[^\s"'<>@,;:()[\]\\]{1,255}\.[^\s"'<>@,;:()[\]\\]{1,63}/gu;
const sensitiveKeys = new Set([
  'email',
  'emails',
  'secret',
  'password',
  'authorization',
  'token',
  'cookie',
  'address',
  'to',
]);

/** Masks email-shaped substrings; used on every serialized log line. */
export const redactText = (text: string): string => text.replace(emailPattern, '[email]');

const redactValue = (key: string, value: unknown): unknown =>
  sensitiveKeys.has(key.toLowerCase()) && value !== undefined && value !== null
    ? '[redacted]'
    : value;

export interface LogSink {
  write(line: string): void;
}

export const createLogger = (
  sink: LogSink,
  level: LogLevel | 'silent' = 'info',
  bindings: Record<string, unknown> = {},
): FastifyBaseLogger => {
  const threshold = levels[level];
  const emit = (name: LogLevel, args: unknown[]): void => {
    if (levels[name] < threshold) return;
    const [first, second] = args;
    const entry: Record<string, unknown> = {
      level: name,
      time: new Date().toISOString(),
      ...bindings,
    };
    if (first instanceof Error) {
      entry.err = {
        type: first.name,
        message: first.message,
        code: (first as { code?: unknown }).code,
      };
      if (typeof second === 'string') entry.msg = second;
    } else if (typeof first === 'object' && first !== null) {
      Object.assign(entry, first);
      if (typeof second === 'string') entry.msg = second;
    } else if (first !== undefined) {
      entry.msg = String(first);
    }
    sink.write(redactText(JSON.stringify(entry, redactValue)) + '\n');
  };
  const logger = {
    level,
    trace: (...args: unknown[]) => emit('trace', args),
    debug: (...args: unknown[]) => emit('debug', args),
    info: (...args: unknown[]) => emit('info', args),
    warn: (...args: unknown[]) => emit('warn', args),
    error: (...args: unknown[]) => emit('error', args),
    fatal: (...args: unknown[]) => emit('fatal', args),
    silent: () => undefined,
    child: (more: Record<string, unknown>) => createLogger(sink, level, { ...bindings, ...more }),
  };
  return logger as unknown as FastifyBaseLogger;
};

/** Collects lines in memory; tests use it to assert what was (and was not) logged. */
export const memorySink = (): LogSink & { lines: string[]; text(): string } => {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line), text: () => lines.join('') };
};
