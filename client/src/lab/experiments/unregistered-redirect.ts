// Experiment 7: an authorization request with a redirect_uri that is not registered. If the server redirected to
// it, with an error or, worse, with a code, anyone could use it as an open redirector or collect codes on their
// own site. RFC 6749 §4.1.2.1 and RFC 9700 §4.1.3: the server compares the redirect_uri exactly with the
// registered ones and, when it does not match, shows an error page itself and MUST NOT redirect.
import { randomToken } from '../../oauth/oauth-client.ts';
import { LAB_RESULT, labAuthorizationUrl, type Experiment } from '../lab.ts';

export const unregisteredRedirect: Experiment = {
  id: 'unregistered-redirect',
  title: 'An authorization request with an unregistered redirect_uri',
  summary:
    'An attacker sends you a link to the provider’s authorization endpoint, with this client’s client_id and ' +
    'the attacker’s redirect_uri, hoping the code comes to them. The provider must answer with an error page ' +
    'of its own, never a redirect.',
  needs: 'nothing',
  attempts: [
    {
      id: 'unregistered-redirect',
      label: 'redirect_uri=https://attacker.example/callback',
      expected: 'an error page at the provider (HTTP 400), no Location header',
      rfc: ['RFC 9700 §4.1.3', 'RFC 6749 §4.1.2.1'],
      stoppedBy: [
        { file: 'provider/src/oauth/authorization-request.ts', function: 'validateAuthorizationRequest' },
        { file: 'provider/src/routes/authorize.ts', function: 'reject' },
      ],
    },
  ],

  // The lab's server sends the request your browser would, to see the answer's status and headers, and the lab
  // page offers the same link for you to open.
  async start(lab) {
    const url = labAuthorizationUrl(lab.config, lab.metadata, { state: randomToken(), code_verifier: randomToken() });
    url.searchParams.set('redirect_uri', 'https://attacker.example/callback');
    const answer = await lab.attacker.fetchPage(
      'Authorization request with the attacker’s redirect_uri',
      ['RFC 9700 §4.1.3'],
      url,
      ['Location'],
    );
    const redirected = answer.headers.get('location') !== null;
    const evidence = `HTTP ${answer.status}, ${redirected ? `a redirect to ${answer.headers.get('location')}` : 'an error page and no Location header'}.`;
    lab.result(
      'unregistered-redirect',
      answer.status >= 400 && !redirected ? 'refused' : 'accepted',
      evidence,
      answer.seq,
    );
    lab.show({ link: url.href });
    return LAB_RESULT;
  },
};
