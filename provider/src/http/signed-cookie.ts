/**
 * State kept by the browser instead of the server: a small JSON payload with an expiry, signed with a key derived
 * from the session secret. The server stores nothing for it, so no number of visitors can fill its memory; the
 * signature means the browser can hand the value back but not change it.
 *
 * Each use names its purpose, and each purpose gets its own key: a value sealed for one cookie does not open
 * as another.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request } from 'express';

/** RFC 6265 §6.1: browsers keep at least 4096 bytes per cookie, name and attributes included; stay below that. */
export const MAX_COOKIE_VALUE = 3800;

export class SignedCookie<Payload extends object> {
  private readonly key: Buffer;

  constructor(
    readonly name: string,
    secret: string,
    private readonly lifetimeMs: number,
    private readonly options: CookieOptions,
  ) {
    this.key = createHmac('sha256', secret).update(`signed cookie: ${name}`).digest();
  }

  /** The payload, when the request carries this cookie with a valid signature and it has not expired. */
  read(req: Request): Payload | null {
    const value = readCookie(req, this.name);
    if (!value || value.length > MAX_COOKIE_VALUE) return null;
    const dot = value.lastIndexOf('.');
    const body = value.slice(0, dot);
    if (dot < 1 || !safeEqual(value.slice(dot + 1), this.sign(body))) return null;
    try {
      const { exp, data } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { exp: number; data: Payload };
      return typeof exp === 'number' && exp > Date.now() && typeof data === 'object' && data !== null ? data : null;
    } catch {
      return null;
    }
  }

  /** Sets the cookie on the response; false (and nothing set) when the payload is too large for a cookie. */
  write(res: { cookie(name: string, value: string, options: CookieOptions): unknown }, data: Payload): boolean {
    const body = Buffer.from(JSON.stringify({ exp: Date.now() + this.lifetimeMs, data })).toString('base64url');
    const value = `${body}.${this.sign(body)}`;
    if (value.length > MAX_COOKIE_VALUE) return false;
    res.cookie(this.name, value, { ...this.options, maxAge: this.lifetimeMs });
    return true;
  }

  clear(res: { clearCookie(name: string, options: CookieOptions): unknown }): void {
    res.clearCookie(this.name, this.options);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** One cookie's value from the Cookie header (no cookie-parser: only the pages that need a cookie read it). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** Constant-time equality of two strings of possibly different length. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
