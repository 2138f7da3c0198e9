// Opt-in liveness checks and provider revocation (docs/verify.md).

export {
  collectVerifyChecks,
  isTrustedOrigin,
  type CollectedChecks,
  type RuleOrigin,
  type VerifiableRule,
  type VerifyCheck,
} from './checks.js';
export {
  REVOKERS,
  revokeSecrets,
  revokerFor,
  type Revoker,
  type RevokeBatchResult,
} from './revoke.js';
export { signSigV4 } from './sigv4.js';
export {
  validateVerifySpec,
  verifyTableErrors,
  type ResponseMatcher,
  type VerifySpec,
} from './spec.js';
export {
  createVerifier,
  verifyFindings,
  verifyUserAgent,
  type Verifier,
  type VerifyLogEntry,
  type VerifyOptions,
} from './verify.js';
