/**
 * What a failed send means for the row. nodemailer rejects with `responseCode` and `response` when
 * the server answered; without a code the connection failed (refused, reset, dropped mid-message,
 * timed out), and nothing says whether the message was accepted.
 */
export type SendFailure =
  { kind: 'permanent'; reply: string } | { kind: 'temporary'; reply: string; domainWide: boolean };

export const classifySendError = (error: unknown): SendFailure => {
  const e = error as {
    responseCode?: unknown;
    response?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reply = oneLine(
    typeof e.response === 'string' && e.response !== ''
      ? e.response
      : `${typeof e.code === 'string' ? e.code + ': ' : ''}${String(e.message ?? 'unknown error')}`,
  );
  if (code !== undefined && code >= 500 && code < 600) return { kind: 'permanent', reply };
  // A 4xx reply is about the recipient's side (421 service not available, 451 local error,
  // greylisting): back off that whole domain. A broken connection is about our relay: retry the
  // row later, but do not punish the domain.
  return { kind: 'temporary', reply, domainWide: code !== undefined && code >= 400 && code < 500 };
};

/** Replies are kept as evidence; they are short single lines, never message content. */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim().slice(0, 500);
