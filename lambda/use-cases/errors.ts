/** Base of every error the watchdog raises on purpose. */
export class WatchdogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A transient failure (throttling, 5xx, network, optimistic-lock contention) that survived the SDK's own
 * retries. Handlers let it escape so Lambda retries and the failure destination catches it.
 */
export class RetryableError extends WatchdogError {}

/** The state table could not be read or written: the watchdog fails closed (no claim, no rollback). */
export class StateStoreUnavailableError extends RetryableError {}

/** The service or deployment group is missing, inactive, or not permitted: never retried. */
export class TargetInvalidError extends WatchdogError {}

/** The deployed runtime config is missing or unreadable. */
export class ConfigUnavailableError extends RetryableError {}
