// Experiment 1: replay the authorization code. An attacker who got hold of a code (from a log, a Referer header,
// the browser's history) redeems it too, after the client or at the same moment. RFC 6749 §4.1.2: a code is used
// once, and when it comes back the server SHOULD revoke every token issued from it, since one of the two
// requests is the attacker's and the server cannot tell which.
import { describeAnswer } from '../attacker.ts';
import { LAB_RESULT, type Experiment } from '../lab.ts';

export const codeReplay: Experiment = {
  id: 'code-replay',
  title: 'Replay the authorization code',
  summary:
    'The client redeems a fresh code, then an attacker who copied it redeems it again. The second request ' +
    'must fail, and the tokens the first one got must stop working: the server cannot tell which of the two ' +
    'was the attacker.',
  needs: 'authorization',
  attempts: [
    {
      id: 'replay',
      label: 'The same code, a second time',
      expected: 'invalid_grant',
      rfc: ['RFC 6749 §4.1.2', 'RFC 6749 §10.5'],
      stoppedBy: [
        { file: 'provider/src/oauth/model.ts', function: 'getAuthorizationCode' },
        { file: 'provider/src/store/memory.ts', function: 'redeemAuthorizationCode' },
      ],
    },
    {
      id: 'tokens-revoked',
      label: 'The tokens issued from the first redemption',
      expected: 'revoked: the access token gets 401 at the resource, the refresh token invalid_grant',
      rfc: ['RFC 6749 §4.1.2'],
      stoppedBy: [
        { file: 'provider/src/oauth/model.ts', function: 'getAuthorizationCode' },
        { file: 'provider/src/store/memory.ts', function: 'revokeGrant' },
      ],
    },
  ],

  start: async (lab) => lab.authorize(),

  async finish(lab, { code }) {
    const { attacker } = lab;
    const redeem = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: lab.config.redirect_uri,
      code_verifier: lab.code_verifier,
    };
    const first = await attacker.tokenRequest(
      'Token request: the client redeems the code',
      ['RFC 6749 §4.1.3'],
      redeem,
    );
    if (!first.access_token) {
      lab.result('replay', 'not run', `The first redemption already failed: ${describeAnswer(first)}.`, first.seq);
      return LAB_RESULT;
    }
    const replay = await attacker.tokenRequest(
      'Token request: the attacker replays the same code',
      ['RFC 6749 §4.1.2'],
      redeem,
    );
    lab.result('replay', replay.status >= 400 ? 'refused' : 'accepted', describeAnswer(replay), replay.seq);

    // The evidence that the grant was revoked: both tokens of the first redemption, tried again.
    const resource = await attacker.resourceRequest(
      'The first access token, after the replay',
      ['RFC 6750 §3.1'],
      first.access_token,
      'header',
    );
    const refresh = await attacker.tokenRequest(
      'Refresh request: the first refresh token, after the replay',
      ['RFC 6749 §6'],
      {
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
      },
    );
    const revoked = resource.status === 401 && refresh.status >= 400;
    lab.result(
      'tokens-revoked',
      revoked ? 'refused' : 'accepted',
      `Access token: HTTP ${resource.status}. Refresh token: ${describeAnswer(refresh)}.`,
      resource.seq,
    );
    return LAB_RESULT;
  },
};
