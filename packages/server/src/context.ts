import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.js';
import type { Keyring } from './crypto/keys.js';
import type { Jurisdiction } from './incidents/legal-clocks.js';
import type { MailQueue } from './mail/mail-queue.js';
import type { Mailer } from './mail/mailer.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Store } from './store/store.js';
import type { SiteInfo } from './views/pages.js';

/** What route handlers share; built once by buildApp. */
export interface AppContext {
  store: Store;
  mailer: Mailer;
  clock: Clock;
  logger: FastifyBaseLogger;
  keyring: Keyring;
  site: SiteInfo;
  jurisdictions: Jurisdiction[];
  mailQueue: MailQueue;
  limits: {
    checkPerIp: RateLimiter;
    checkPerAddress: RateLimiter;
    verifyPerIp: RateLimiter;
  };
  uploadLimit: number;
}
