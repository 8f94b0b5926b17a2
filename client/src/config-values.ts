/**
 * Reading the client's own settings. The readers both apps share (ports, URLs, session secrets, HOST,
 * TRUST_PROXY, logs) are in common/src/config-values.ts, re-exported here so that `config.ts` has one place to look.
 */
import { ConfigError, isLoopback, read, type Env } from '@oauth-reference/common/config-values';

export * from '@oauth-reference/common/config-values';

/** The security lab's settings (client/src/lab/). */
export interface LabSettings {
  enabled: boolean;
  /**
   * A second client registered at the same authorization server: the public client of `PUBLIC_CLIENT_ID`, which
   * both apps read. The lab tries to redeem this client's code as that one (RFC 6749 §4.1.3).
   */
  otherClientId: string | undefined;
}

/**
 * `LAB` turns the security lab on or off. Unset, it is on except with NODE_ENV=production, and only when the
 * authorization server is on this machine: the lab sends attacks, and must never send them to someone else's
 * server by accident. `LAB=on` says the server is yours, wherever it runs.
 */
export function lab(env: Env, authServer: string): LabSettings {
  const given = read(env, 'LAB');
  const raw = given?.toLowerCase();
  if (raw !== undefined && raw !== 'on' && raw !== 'off') {
    throw new ConfigError(`LAB must be on or off (or unset: on, except in production, against an authorization server on this machine), got "${given}"`);
  }
  const enabled = raw === undefined ? env.NODE_ENV !== 'production' && isLoopback(new URL(authServer).hostname) : raw === 'on';
  return { enabled, otherClientId: read(env, 'PUBLIC_CLIENT_ID') };
}
