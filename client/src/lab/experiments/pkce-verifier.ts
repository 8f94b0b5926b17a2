// Experiment 3: redeem a code without its PKCE verifier, and with a wrong one. PKCE binds the code to the client
// instance that asked for it: only the holder of the code_verifier behind the request's code_challenge can redeem
// it (RFC 7636 §4.6), so a code stolen on its way back through the browser is worth nothing on its own.
//
// A refused verifier spends the code (the library checks PKCE after marking the code used), so an attacker gets
// one guess per code. That is why this experiment needs two codes: you will click Allow twice.
import { describeAnswer } from '../attacker.ts';
import { LAB_RESULT, type Experiment } from '../lab.ts';
import { randomToken } from '../../oauth/oauth-client.ts';

const LIBRARY = 'node_modules/@node-oauth/oauth2-server/lib/grant-types/authorization-code-grant-type.js';

export const pkceVerifier: Experiment = {
  id: 'pkce-verifier',
  title: 'Redeem a code without the PKCE verifier, or with a wrong one',
  summary:
    'An attacker who intercepted a code tries to redeem it without the code_verifier, then (with a second ' +
    'code) with a verifier of their own. Both must fail. A failed try spends the code, so the right verifier ' +
    'sent afterwards fails too: one guess per code. You will click Allow twice.',
  needs: 'authorization',
  hint: 'Sends your browser to the provider twice: sign in if asked, and click Allow each time.',
  attempts: [
    {
      id: 'no-verifier',
      label: 'The code without code_verifier',
      expected: 'invalid_grant',
      rfc: ['RFC 7636 §4.6', 'RFC 9700 §2.1.1'],
      stoppedBy: [
        { file: 'provider/src/oauth/grants.ts', function: 'StrictAuthorizationCodeGrant' },
        { file: LIBRARY, function: 'verifyPKCE' },
      ],
    },
    {
      id: 'wrong-verifier',
      label: 'A second code with a verifier of the attacker’s',
      expected: 'invalid_grant',
      rfc: ['RFC 7636 §4.6'],
      stoppedBy: [{ file: LIBRARY, function: 'verifyPKCE' }],
    },
    {
      id: 'one-guess',
      label: 'That code again, now with the right verifier',
      expected: 'invalid_grant: the wrong guess spent the code',
      rfc: ['RFC 6749 §4.1.2', 'RFC 7636 §4.6'],
      stoppedBy: [
        { file: LIBRARY, function: 'revokeAuthorizationCode' },
        { file: 'provider/src/oauth/model.ts', function: 'revokeAuthorizationCode' },
      ],
    },
  ],

  start: async (lab) => lab.authorize(),

  async finish(lab, { code }) {
    const { attacker } = lab;
    const request = (code_verifier: string | undefined) => ({
      grant_type: 'authorization_code',
      code,
      redirect_uri: lab.config.redirect_uri,
      code_verifier,
    });
    if (lab.step === 1) {
      const bare = await attacker.tokenRequest(
        'Token request: the attacker’s, without code_verifier',
        ['RFC 7636 §4.6'],
        request(undefined),
      );
      lab.result('no-verifier', bare.status >= 400 ? 'refused' : 'accepted', describeAnswer(bare), bare.seq);
      // The first code is spent: the next attempt needs a code of its own.
      return lab.authorize(2);
    }
    const guess = await attacker.tokenRequest(
      'Token request: the attacker’s, with a verifier of its own',
      ['RFC 7636 §4.6'],
      request(randomToken()),
    );
    lab.result('wrong-verifier', guess.status >= 400 ? 'refused' : 'accepted', describeAnswer(guess), guess.seq);
    const right = await attacker.tokenRequest(
      'Token request: the same code with the right verifier',
      ['RFC 6749 §4.1.2'],
      request(lab.code_verifier),
    );
    lab.result('one-guess', right.status >= 400 ? 'refused' : 'accepted', describeAnswer(right), right.seq);
    return LAB_RESULT;
  },
};
