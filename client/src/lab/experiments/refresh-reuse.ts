// Experiment 2: reuse a rotated refresh token. Each refresh returns a new refresh token and spends the old one
// (rotation). A spent one coming back means two parties hold the chain: the client and a thief. RFC 9700 §4.14.2:
// the server cannot tell which is which, so it revokes the whole grant, the thief's tokens and the client's.
import { describeAnswer } from '../attacker.ts';
import { LAB_RESULT, type Experiment } from '../lab.ts';

export const refreshReuse: Experiment = {
  id: 'refresh-reuse',
  title: 'Reuse a rotated refresh token',
  summary:
    'The client redeems a fresh code and refreshes once, which rotates the refresh token. An attacker who ' +
    'stole the first refresh token now uses it. It must be refused, and the whole grant revoked: the newest ' +
    'tokens stop working too.',
  needs: 'authorization',
  attempts: [
    {
      id: 'reuse',
      label: 'The first refresh token, after it was rotated',
      expected: 'invalid_grant',
      rfc: ['RFC 9700 §4.14.2', 'RFC 6749 §6'],
      stoppedBy: [{ file: 'provider/src/oauth/grants.ts', function: 'createRefreshTokenGrant' }],
    },
    {
      id: 'grant-revoked',
      label: 'The newest refresh and access tokens, after the reuse',
      expected: 'revoked: invalid_grant at the token endpoint, 401 at the resource',
      rfc: ['RFC 9700 §4.14.2'],
      stoppedBy: [
        { file: 'provider/src/oauth/grants.ts', function: 'createRefreshTokenGrant' },
        { file: 'provider/src/store/memory.ts', function: 'revokeGrant' },
      ],
    },
  ],

  start: async (lab) => lab.authorize(),

  async finish(lab, { code }) {
    const { attacker } = lab;
    const tokens = await attacker.redeem(code, lab.code_verifier);
    const stolen = tokens.refresh_token;
    const rotated =
      stolen &&
      (await attacker.tokenRequest('Refresh request: the client refreshes', ['RFC 6749 §6'], {
        grant_type: 'refresh_token',
        refresh_token: stolen,
      }));
    if (!stolen || !rotated || !rotated.refresh_token || !rotated.access_token) {
      lab.result(
        'reuse',
        'not run',
        'The code or the first refresh was refused, so there was no rotated refresh token to steal.',
        (rotated || tokens).seq,
      );
      return LAB_RESULT;
    }

    const reuse = await attacker.tokenRequest(
      'Refresh request: the attacker uses the rotated refresh token',
      ['RFC 9700 §4.14.2'],
      { grant_type: 'refresh_token', refresh_token: stolen },
    );
    lab.result('reuse', reuse.status >= 400 ? 'refused' : 'accepted', describeAnswer(reuse), reuse.seq);

    const newest = await attacker.tokenRequest(
      'Refresh request: the client’s newest refresh token',
      ['RFC 9700 §4.14.2'],
      { grant_type: 'refresh_token', refresh_token: rotated.refresh_token },
    );
    const resource = await attacker.resourceRequest(
      'The client’s newest access token',
      ['RFC 6750 §3.1'],
      rotated.access_token,
      'header',
    );
    const revoked = newest.status >= 400 && resource.status === 401;
    lab.result(
      'grant-revoked',
      revoked ? 'refused' : 'accepted',
      `Newest refresh token: ${describeAnswer(newest)}. Newest access token: HTTP ${resource.status}.`,
      newest.seq,
    );
    return LAB_RESULT;
  },
};
