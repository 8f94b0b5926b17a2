// Experiment 9: a PKCE downgrade (RFC 9700 §4.8). An attacker strips code_challenge from the client's authorization
// request, or injects a code obtained without one, hoping the server then skips the verifier check. RFC 9700
// §4.8.2: a server that supports PKCE must refuse a token request with a code_verifier for a code issued without a
// code_challenge. This provider goes further and issues no code without a challenge at all (RFC 9700 §2.1.1).
import { describeAnswer } from '../attacker.ts';
import { LAB_RESULT, type Experiment } from '../lab.ts';

export const pkceDowngrade: Experiment = {
  id: 'pkce-downgrade',
  title: 'A PKCE downgrade',
  summary:
    'The lab sends an authorization request without code_challenge. The provider must refuse it, redirecting ' +
    'back with error=invalid_request before anyone signs in, so no code without a challenge ever exists; a ' +
    'token request with a code_verifier for such a code would be refused too.',
  needs: 'authorization',
  hint: 'Sends your browser to the provider, which refuses the request before asking you anything.',
  withoutCodeChallenge: true,
  attempts: [
    {
      id: 'no-challenge',
      label: 'An authorization request without code_challenge',
      expected: 'error=invalid_request, sent back to the client with state and iss',
      rfc: ['RFC 9700 §4.8.2', 'RFC 9700 §2.1.1'],
      stoppedBy: [{ file: 'provider/src/oauth/authorization-request.ts', function: 'validateAuthorizationRequest' }],
    },
    {
      id: 'verifier-without-challenge',
      label: 'A code_verifier for a code issued without a challenge',
      expected: 'invalid_grant',
      rfc: ['RFC 9700 §4.8.2'],
      stoppedBy: [
        {
          file: 'node_modules/@node-oauth/oauth2-server/lib/grant-types/authorization-code-grant-type.js',
          function: 'verifyPKCE',
        },
      ],
    },
  ],

  start: async (lab) => lab.authorize(),

  // The expected outcome: the provider refused the request, and said so on the callback.
  async finishWithoutCode(lab, { error, error_description }) {
    const seq = lab.lastSeq();
    const refused = error === 'invalid_request';
    lab.result(
      'no-challenge',
      refused ? 'refused' : 'accepted',
      `The provider redirected back with error=${error}${error_description ? ` (“${error_description}”)` : ''}.`,
      seq,
    );
    lab.result(
      'verifier-without-challenge',
      'not run',
      'There is no code to try it with: the provider issued none without a challenge. The integration tests ' +
        'plant one in the provider’s store to check that the token endpoint refuses it.',
    );
    return LAB_RESULT;
  },

  // A code came back for a request without a challenge: the downgrade got through the authorization endpoint.
  async finish(lab, { code }) {
    lab.result(
      'no-challenge',
      'accepted',
      'The provider issued a code for a request without code_challenge.',
      lab.lastSeq(),
    );
    const answer = await lab.attacker.tokenRequest(
      'Token request: a code_verifier for that code',
      ['RFC 9700 §4.8.2'],
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: lab.config.redirect_uri,
        code_verifier: lab.code_verifier,
      },
    );
    lab.result(
      'verifier-without-challenge',
      answer.status >= 400 ? 'refused' : 'accepted',
      describeAnswer(answer),
      answer.seq,
    );
    if (answer.access_token) await lab.attacker.revoke(answer);
    return LAB_RESULT;
  },
};
