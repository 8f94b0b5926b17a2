/**
 * A minimal browser for HTTP scenarios: follows nothing by itself, keeps cookies the way a browser does for
 * one host (cookies ignore the port, which is why provider and client need different cookie names), and reads
 * forms from the pages it gets.
 */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string | URL): Promise<Response> {
    return this.request(url, { method: 'GET' });
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects until a page answers; returns it with its final URL. */
  async follow(response: Response, from: string | URL): Promise<{ response: Response; url: URL }> {
    let url = new URL(from);
    let current = response;
    for (let hops = 0; current.status >= 300 && current.status < 400; hops++) {
      if (hops > 10) throw new Error('too many redirects');
      url = new URL(current.headers.get('location') ?? '', url);
      current = await this.get(url);
    }
    return { response: current, url };
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private async request(url: string | URL, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** The hidden inputs of the first form on a page (CSRF token, authorization request fields). */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1] as string] = decodeEntities(match[2] as string);
  }
  return fields;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Plays the user at the provider: from the authorization URL, signs in as demo/demo and answers the consent
 * page. Returns the redirect back to the client (not followed).
 */
export async function signInAndConsent(browser: Browser, authorizationUrl: URL, decision: 'allow' | 'deny' = 'allow') {
  let page = await browser.follow(await browser.get(authorizationUrl), authorizationUrl);
  if (page.url.pathname === '/login') {
    const login = hiddenFields(await page.response.text());
    const signedIn = await browser.post(page.url, { ...login, username: 'demo', password: 'demo' });
    page = await browser.follow(signedIn, page.url);
  }
  if (page.url.pathname !== '/oauth/authorize') throw new Error(`expected the consent page, got ${page.url}`);
  const consentForm = hiddenFields(await page.response.text());
  const answer = await browser.post(page.url.origin + '/oauth/authorize', { ...consentForm, decision });
  if (answer.status !== 303) throw new Error(`consent answered ${answer.status}`);
  return new URL(answer.headers.get('location') as string);
}
