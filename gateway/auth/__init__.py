"""Sign-in: the OAuth2 token endpoint (password and client-credentials grants) and the JWKS."""
