// A real OpenID provider for kamp's single sign-on tests: the certified `oidc-provider`
// package, on 127.0.0.1; every client must use PKCE.
//
// Started by tests/sso/oidc_server.py with its whole configuration in the environment
// (KAMP_OIDC_TEST_CONFIG, JSON): port, the clients (kamp's and another application's), the
// signing keys (a private JWK set, so a test can also sign a hostile token with the same key)
// and the test accounts. devInteractions: the provider's own login page accepts any password;
// the login name picks the account.
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.KAMP_OIDC_TEST_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts || {};

async function findAccount(ctx, id) {
  const account = accounts[id];
  if (!account) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, ...account };
    },
  };
}

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    post_logout_redirect_uris: [],
    ...client,
  })),
  jwks: config.jwks,
  findAccount,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'kamp_role'],
  },
  // Every authorization request must carry a PKCE challenge (S256), confidential client or not.
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // No consent screen: kamp is the organisation's own application (first party).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['kamp-test-provider-cookie-key'] },
  ttl: { IdToken: config.id_token_ttl || 3600 },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
