// What the flow inspector says about each parameter, in plain words, and where the RFCs say it.
// Looked up when the page is rendered, so the session keeps only names and (masked) values.

const meanings: Record<string, string> = {
  // Authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3)
  response_type: '"code": this client asks for an authorization code, to exchange later over the back channel.',
  client_id: 'Which registered client is asking (RFC 6749 §2.2). Public: it is not a secret.',
  redirect_uri: 'Where to send the browser back; it must match one registered for this client (RFC 6749 §3.1.2).',
  scope: 'The access asked for (or, in a response, granted), as space-separated names (RFC 6749 §3.3).',
  state: 'A random value kept in this browser’s session; the response must bring it back (RFC 6749 §10.12). Shown masked.',
  code_challenge: 'BASE64URL(SHA-256(code_verifier)): commits to a secret only this client knows (RFC 7636 §4.2).',
  code_challenge_method: '"S256": the challenge is a SHA-256 hash, so the verifier never travels through the browser.',
  // Authorization response (RFC 6749 §4.1.2, RFC 9207)
  code: 'The one-time authorization code, short-lived and useless without the client’s credentials and verifier. Shown masked.',
  iss: 'The issuer that sent this response; checked to defeat mix-up attacks (RFC 9207 §2.4).',
  error: 'Why no code was issued, or why a request was refused (RFC 6749 §4.1.2.1, §5.2).',
  error_description: 'The server’s own explanation, for developers.',
  // Token request (RFC 6749 §4.1.3, §6) and client authentication (§2.3.1)
  grant_type: 'What is being exchanged for tokens: "authorization_code", or "refresh_token" (RFC 6749 §6).',
  code_verifier: 'The secret behind code_challenge: proves this client started the flow (RFC 7636 §4.5). Shown masked.',
  // The Authorization header means one thing or another depending on its scheme: see meaningOf.
  'Authorization: Basic':
    'This client authenticates itself: client_id and client_secret, each form-encoded, joined by ":" and base64-encoded (RFC 6749 §2.3.1). Base64 is not encryption, so this is the secret itself: nothing of it is kept, hence ••••.',
  client_secret: 'The client’s password, sent in the body (client_secret_post, RFC 6749 §2.3.1). Not kept, so shown as ••••.',
  // Token response (RFC 6749 §5.1)
  access_token: 'What the client shows the resource server. Kept on this server only; shown masked.',
  token_type: '"Bearer": whoever holds the token may use it, so it must never leak (RFC 6750).',
  expires_in: 'Seconds until the access token expires.',
  refresh_token: 'Gets new access tokens without asking the user again (RFC 6749 §6). Kept on this server only; shown masked.',
  // Protected resource request (RFC 6750 §2.1)
  'Authorization: Bearer':
    'The access token, presented to the resource server (RFC 6750 §2.1). Whoever holds it can use it, so it travels in this header, never in the URL. Only its first four characters are kept here.',
  // Revocation (RFC 7009 §2.1) and the resource server's challenge (RFC 6750 §3)
  token: 'The token to revoke. Shown masked.',
  token_type_hint: 'Which kind of token it is, to help the server find it.',
  'WWW-Authenticate': 'The resource server refused the token: expired, revoked or malformed (RFC 6750 §3.1).',
};

/** The explanation of a parameter or header; for `Authorization`, of its scheme (`Basic …`, `Bearer …`). */
export function meaningOf(name: string, value = ''): string | undefined {
  const key = name === 'Authorization' ? `Authorization: ${value.split(' ', 1)[0]}` : name;
  return Object.hasOwn(meanings, key) ? meanings[key] : undefined;
}

/** `RFC 6749 §4.1.1` → https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
export function rfcHref(reference: string): string {
  const match = /^RFC (\d+)(?: §([\d.]+))?$/.exec(reference);
  if (!match) return 'https://www.rfc-editor.org/';
  const [, number, section] = match;
  return `https://www.rfc-editor.org/rfc/rfc${number}${section ? `#section-${section}` : ''}`;
}
