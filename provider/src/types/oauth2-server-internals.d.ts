// The library exports `AbstractGrantType` but not its built-in grant types; we extend the authorization code
// grant to change a single error code (see src/oauth/grants.ts), so we declare the part of it we use.
declare module '@node-oauth/oauth2-server/lib/grant-types/authorization-code-grant-type.js' {
  import type OAuth2Server from '@node-oauth/oauth2-server';

  class AuthorizationCodeGrantType extends OAuth2Server.AbstractGrantType {
    handle(request: OAuth2Server.Request, client: OAuth2Server.Client): Promise<OAuth2Server.Token>;
    validateRedirectUri(request: OAuth2Server.Request, code: OAuth2Server.AuthorizationCode): void;
  }
  export = AuthorizationCodeGrantType;
}
