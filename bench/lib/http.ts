/**
 * A small keep-alive HTTP client for the flow loops: one request at a time per loop, connections reused.
 * (node:http with a keep-alive agent costs the load generator less CPU than `fetch`.)
 */
import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly host: string;
  private readonly port: number;

  constructor(origin: string) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  request(method: string, path: string, headers: http.OutgoingHttpHeaders = {}, body?: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request({ agent: this.agent, host: this.host, port: this.port, method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** An `application/x-www-form-urlencoded` POST. */
  postForm(path: string, form: Record<string, string>, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
    const body = new URLSearchParams(form).toString();
    return this.request('POST', path, { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body);
  }

  close(): void {
    this.agent.destroy();
  }
}

export function expectStatus(reply: Reply, status: number, step: string): Reply {
  if (reply.status !== status) throw new Error(`${step}: expected ${status}, got ${reply.status} ${reply.body.slice(0, 200)}`);
  return reply;
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}
