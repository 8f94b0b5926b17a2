// Experiment 6: a mix-up attack (RFC 9700 §4.4). A client that works with several authorization servers sends its
// request to one of them, and an attacker's server answers in its place, or swaps the codes. RFC 9207: every
// authorization response names its issuer in `iss`, and the client refuses a response from a server it did not
// send this request to, before any token request.
import { LAB_RESULT, type Experiment } from '../lab.ts';
import { judgeCallback } from './forged-state.ts';

const ATTACKER = 'https://attacker.example';

export const mixUp: Experiment = {
  id: 'mix-up',
  title: 'A callback from the wrong authorization server (mix-up)',
  summary: `The lab starts a login in your browser, then answers it as another authorization server would: a callback with the right state but iss=${ATTACKER}. The client must refuse it before any token request.`,
  needs: 'nothing',
  attempts: [
    {
      id: 'wrong-iss',
      label: `A response with the right state and iss=${ATTACKER}`,
      expected: 'HTTP 400 from the client, and no token request',
      rfc: ['RFC 9207 §2.4', 'RFC 9700 §4.4'],
      stoppedBy: [{ file: 'client/src/routes/callback.ts', function: 'receive' }],
    },
  ],

  // No request reaches the real provider: the "response" comes from the lab, playing the other server.
  async start(lab) {
    const { state } = lab.startLogin();
    const response = new URL(lab.config.redirect_uri);
    response.search = new URLSearchParams({ code: 'a-code-from-the-other-server', state, iss: ATTACKER }).toString();
    return response.pathname + response.search;
  },

  // Only if the client accepted the response does it reach the lab: the attack worked.
  async finish(lab) {
    lab.result('wrong-iss', 'accepted', `The client accepted a response with iss=${ATTACKER}.`);
    return LAB_RESULT;
  },

  judge: (entries) => judgeCallback(entries, 'wrong-iss', /^iss\b/),
};
