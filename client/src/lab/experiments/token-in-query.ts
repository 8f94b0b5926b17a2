// Experiment 8: the access token in the query string. URLs end up in server logs, proxies, the browser's history
// and Referer headers; a bearer token there is a token anyone reading them can use. RFC 6750 §2.3 allows it only
// where nothing else works, and RFC 9700 §4.3.2 says not to: this resource server reads the token from the
// Authorization header only, so a token in the URL counts as no token at all.
import { describeAnswer } from '../attacker.ts';
import { LAB_RESULT, type Experiment } from '../lab.ts';

export const tokenInQuery: Experiment = {
  id: 'token-in-query',
  title: 'The access token in the query string',
  summary:
    'With a fresh access token, the lab calls the protected resource as /api/me?access_token=…. The resource ' +
    'server must refuse it as if no token were sent. The same token in the Authorization header then works, ' +
    'and the lab revokes it.',
  needs: 'authorization',
  attempts: [
    {
      id: 'token-in-query',
      label: 'GET /api/me?access_token=…',
      expected: 'HTTP 401 with a bare Bearer challenge: no token was seen',
      rfc: ['RFC 6750 §2.3', 'RFC 9700 §4.3.2'],
      stoppedBy: [
        { file: 'provider/src/routes/resource.ts', function: 'resourceRoutes' },
        { file: 'provider/src/oauth/server.ts', function: 'createOAuthServer' },
      ],
    },
  ],

  start: async (lab) => lab.authorize(),

  async finish(lab, { code }) {
    const { attacker } = lab;
    const tokens = await attacker.redeem(code, lab.code_verifier);
    if (!tokens.access_token) {
      lab.result(
        'token-in-query',
        'not run',
        `There is no access token to misuse: ${describeAnswer(tokens)}.`,
        tokens.seq,
      );
      return LAB_RESULT;
    }
    const inQuery = await attacker.resourceRequest(
      'Resource request with the token in the URL',
      ['RFC 6750 §2.3'],
      tokens.access_token,
      'query',
    );
    const inHeader = await attacker.resourceRequest(
      'The same token in the Authorization header',
      ['RFC 6750 §2.1'],
      tokens.access_token,
      'header',
    );
    const evidence = `In the URL: HTTP ${inQuery.status} (WWW-Authenticate: ${inQuery.challenge || 'none'}). In the header: HTTP ${inHeader.status}.`;
    lab.result('token-in-query', inQuery.status === 401 ? 'refused' : 'accepted', evidence, inQuery.seq);
    // The grant served its purpose: revoke it rather than leave live tokens behind (RFC 7009).
    await attacker.revoke(tokens);
    return LAB_RESULT;
  },
};
