// Experiment 4: redeem the code somewhere it was not issued for. RFC 6749 §4.1.3: the server checks that the code
// was issued to the client that redeems it, and that redirect_uri is the one of the authorization request. A code
// that leaked to an attacker's page, or to another registered client, cannot be redeemed there.
import { describeAnswer } from '../attacker.ts';
import { LAB_RESULT, type Experiment } from '../lab.ts';

export const codeSubstitution: Experiment = {
  id: 'code-substitution',
  title: 'Redeem the code with another redirect_uri, or as another client',
  summary:
    'An attacker holding this client’s code presents it as another registered client (the public client of ' +
    'PUBLIC_CLIENT_ID, when there is one), then with the redirect_uri of their own site. The code must be ' +
    'refused both times.',
  needs: 'authorization',
  attempts: [
    {
      id: 'other-client',
      label: 'The code, redeemed as another registered client',
      expected: 'invalid_grant',
      rfc: ['RFC 6749 §4.1.3'],
      stoppedBy: [
        {
          file: 'node_modules/@node-oauth/oauth2-server/lib/grant-types/authorization-code-grant-type.js',
          function: 'getAuthorizationCode',
        },
      ],
    },
    {
      id: 'redirect-uri',
      label: 'The code, with the attacker’s redirect_uri',
      expected: 'invalid_grant',
      rfc: ['RFC 6749 §4.1.3'],
      stoppedBy: [{ file: 'provider/src/oauth/grants.ts', function: 'validateRedirectUri' }],
    },
  ],

  start: async (lab) => lab.authorize(),

  async finish(lab, { code }) {
    const { attacker, config } = lab;
    const request = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: config.redirect_uri,
      code_verifier: lab.code_verifier,
    };
    // First as the other client: the library compares clients before it spends the code, so the code is still
    // good for the second attempt, which would otherwise be refused only for being used.
    const other = config.lab.otherClientId;
    if (other) {
      const answer = await attacker.tokenRequest(
        `Token request: the code, as the client ${other}`,
        ['RFC 6749 §4.1.3'],
        request,
        { as: 'public client', client_id: other },
      );
      lab.result('other-client', answer.status >= 400 ? 'refused' : 'accepted', describeAnswer(answer), answer.seq);
    } else {
      lab.result(
        'other-client',
        'not run',
        'No second client is registered. Set PUBLIC_CLIENT_ID and PUBLIC_REDIRECT_URI in the root .env (both apps ' +
          'read it), restart both apps, and run this experiment again.',
      );
    }
    const elsewhere = await attacker.tokenRequest(
      'Token request: the code, with the attacker’s redirect_uri',
      ['RFC 6749 §4.1.3'],
      {
        ...request,
        redirect_uri: 'https://attacker.example/callback',
      },
    );
    lab.result(
      'redirect-uri',
      elsewhere.status >= 400 ? 'refused' : 'accepted',
      describeAnswer(elsewhere),
      elsewhere.seq,
    );
    return LAB_RESULT;
  },
};
