/**
 * Throttling password guessing (RFC 6749 §10.10, RFC 9700 §4.15) in a way nobody else can turn against the user.
 *
 * - Per account and address: `attemptsPerWindow` wrong passwords, then that address waits for that account.
 * - Per account across all addresses, and per address across all accounts: a ceiling. Past it, only a browser
 *   that has signed in to the account before may still try. It shows a signed device cookie (OWASP, "Slow Down
 *   Online Guessing Attacks with Device Cookies") and is counted on its own, per device.
 *
 * So a third party can use up the anonymous allowance of an account, but cannot lock out its returning user; a
 * botnet gets at most the ceiling per window, however many addresses it has.
 *
 * Only a wrong password counts: a post refused by the CSRF check or by the throttle itself is not a guess, and a
 * correct one resets its own counter. Attempts on one account are checked, verified and counted one at a time
 * in this process, so a burst of concurrent guesses cannot all pass the check before the first is counted.
 */
import { hash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { ProviderConfig } from '../config.ts';
import type { AttemptCounter } from '../interaction/store.ts';
import { KeyedLock } from './keyed-lock.ts';
import { SignedCookie } from './signed-cookie.ts';

/**
 * The ceiling per account (and per address) is this many times the per-pair limit: 50 wrong passwords per
 * window with the default 5. (A candidate for its own setting in config.ts.)
 */
export const CEILING_FACTOR = 10;
/** How long a browser stays known to an account after signing in to it. */
const DEVICE_LIFETIME_MS = 180 * 24 * 60 * 60 * 1000;

interface Device {
  /** Digest of the account this browser signed in to. */
  account: string;
  /** Random id: each known browser is counted on its own. */
  id: string;
}

const sha256 = (value: string) => hash('sha256', value, 'base64url');

export type AttemptResult<U> = { outcome: 'signed-in'; user: U } | { outcome: 'wrong' } | { outcome: 'throttled' };

export class LoginThrottle {
  private readonly lock = new KeyedLock();
  private readonly devices: SignedCookie<Device>;
  private readonly limit: number;
  private readonly ceiling: number;

  constructor(config: ProviderConfig, private readonly counter: AttemptCounter) {
    this.limit = config.loginAttemptsPerWindow;
    this.ceiling = config.loginAttemptsPerWindow * CEILING_FACTOR;
    this.devices = new SignedCookie<Device>('provider.device', config.sessionSecret, DEVICE_LIFETIME_MS, {
      httpOnly: true,
      // Read only by the same-origin sign-in form post.
      sameSite: 'strict',
      secure: new URL(config.issuer).protocol === 'https:',
      path: '/login',
    });
  }

  /** One sign-in attempt: `verify` checks the password, unless the throttle refuses first. */
  async attempt<U>(req: Request, res: Response, username: string, verify: () => Promise<U | null>): Promise<AttemptResult<U>> {
    // The account as the user knows it (DEMO and demo are one); digested, so a long name costs a fixed size.
    const account = sha256(username.toLowerCase());
    return this.lock.run(account, async () => {
      const device = this.devices.read(req);
      const known = device !== null && device.account === account;
      const address = ipKeyGenerator(req.ip ?? '');
      // A known browser is counted on its own; any other on its (account, address) pair and both ceilings.
      const own = { key: known ? `device:${sha256(device.id)}` : `pair:${sha256(`${account}\n${address}`)}`, limit: this.limit };
      const shared = known
        ? []
        : [
            { key: `account:${account}`, limit: this.ceiling },
            { key: `address:${sha256(address)}`, limit: this.ceiling },
          ];
      const counters = [own, ...shared];

      const over = await Promise.all(counters.map(async ({ key, limit }) => (await this.counter.count(key)) >= limit));
      if (over.includes(true)) return { outcome: 'throttled' };

      const user = await verify();
      if (!user) {
        await Promise.all(counters.map(({ key }) => this.counter.hit(key)));
        return { outcome: 'wrong' };
      }
      // The user's own counter starts again; the account's ceiling keeps counting what others tried.
      await this.counter.reset(own.key);
      this.devices.write(res, { account, id: known ? device.id : randomBytes(16).toString('base64url') });
      return { outcome: 'signed-in', user };
    });
  }
}
