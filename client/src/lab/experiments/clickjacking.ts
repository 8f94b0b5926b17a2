// Experiment 10: clickjacking (RFC 9700 §4.16). A page of the attacker's frames the provider's consent page, made
// invisible, under a button of its own: the user thinks they click the attacker's button and click Allow. The
// defence is the provider's, in its response headers: `Content-Security-Policy: frame-ancestors 'none'` and
// `X-Frame-Options: DENY` make the browser refuse to show the page inside another site's frame.
import { randomToken } from '../../oauth/oauth-client.ts';
import { LAB_RESULT, labAuthorizationUrl, type Experiment } from '../lab.ts';

export const clickjacking: Experiment = {
  id: 'clickjacking',
  title: 'The consent page in a frame (clickjacking)',
  summary:
    'The lab page frames the provider’s authorization page, as an attacker’s page would, to trick you into ' +
    'clicking Allow. Your browser must refuse to show it, because the provider forbids framing in its ' +
    'response headers.',
  needs: 'nothing',
  attempts: [
    {
      id: 'frame',
      label: 'The provider’s authorization page inside this page’s frame',
      expected: "frame-ancestors 'none' and X-Frame-Options: DENY; the browser shows an empty or error frame",
      rfc: ['RFC 9700 §4.16'],
      stoppedBy: [{ file: 'provider/src/http/security.ts', function: 'securityHeaders' }],
    },
  ],

  // The headers the browser will apply, fetched by the lab's server; the refusal itself happens in your browser.
  async start(lab) {
    const url = labAuthorizationUrl(lab.config, lab.metadata, { state: randomToken(), code_verifier: randomToken() });
    const answer = await lab.attacker.fetchPage(
      'The authorization page, as the frame will load it',
      ['RFC 9700 §4.16'],
      url,
      ['Content-Security-Policy', 'X-Frame-Options'],
    );
    const csp = answer.headers.get('content-security-policy') ?? '';
    const ancestors = /(?:^|;)\s*frame-ancestors\s+([^;]*)/i.exec(csp)?.[1]?.trim();
    const xfo = answer.headers.get('x-frame-options')?.trim().toUpperCase();
    const refused = ancestors === "'none'" || (ancestors === undefined && (xfo === 'DENY' || xfo === 'SAMEORIGIN'));
    const evidence = `The provider answers with Content-Security-Policy: frame-ancestors ${ancestors ?? '(not set)'} and X-Frame-Options: ${xfo ?? '(not set)'}.`;
    lab.result('frame', refused ? 'refused' : 'accepted', evidence, answer.seq);
    lab.show({ frame: url.href });
    return LAB_RESULT;
  },
};
