// A real, certified OpenID Provider (panva/oidc-provider) for the console gateway's SSO test, run as a
// process of its own: oidc-provider and jose are ES modules that Jest's CommonJS runtime cannot load.
//
// HTTPS on 127.0.0.1 (OP_TLS_CERT_FILE / OP_TLS_KEY_FILE, issued by the test's own CA), one provider per
// tenant mounted under its path, as Entra ID's issuers are (`https://login.microsoftonline.com/{tid}/v2.0`).
// OP_CONFIG (JSON): { port, tenants: [{ path, conformIdTokenClaims }], client: { client_id, client_secret,
// redirect_uris }, accounts: { <login>: { <claims> } } }. Prints one line `listening <url>` when ready.
//
// `POST /test/tamper {path, claims}` makes the next token response of that tenant carry an ID token whose
// claims are overridden by `claims`, signed with the tenant's own key: a provider (or a proxy) answering
// with an ID token of another issuer, for another audience, or for another sign-in.
import { readFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt } from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OP_CONFIG ?? '{}');
const origin = `https://127.0.0.1:${config.port}`;
const tampers = new Map();
const mounted = [];

for (const tenant of config.tenants) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `${tenant.path}#1`, alg: 'RS256', use: 'sig' };
  const provider = new Provider(`${origin}${tenant.path}`, {
    clients: [
      {
        ...config.client,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        // openid-client's default with a client secret, as Entra ID accepts it.
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    async findAccount(_ctx, id) {
      const claims = config.accounts[id];
      return claims && { accountId: id, claims: () => ({ sub: id, ...claims }) };
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'roles'],
      email: ['email'],
    },
    // true: the profile claims are only at the userinfo endpoint (OIDC Core 5.4); false: in the ID
    // token too, as Entra ID puts `roles` there.
    conformIdTokenClaims: tenant.conformIdTokenClaims,
    jwks: { keys: [jwk] },
    cookies: { keys: ['oidc-provider test fixture cookie key'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  provider.use(async (ctx, next) => {
    await next();
    const tamper = tampers.get(tenant.path);
    if (ctx.path !== '/token' || ctx.status !== 200 || !tamper || !ctx.body?.id_token) return;
    tampers.delete(tenant.path);
    const claims = { ...decodeJwt(ctx.body.id_token), ...tamper };
    ctx.body = {
      ...ctx.body,
      id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(privateKey),
    };
  });
  mounted.push({ path: tenant.path, callback: provider.callback() });
}

const server = createServer(
  { cert: readFileSync(process.env.OP_TLS_CERT_FILE), key: readFileSync(process.env.OP_TLS_KEY_FILE) },
  (req, res) => {
    if (req.method === 'POST' && req.url === '/test/tamper') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const { path, claims } = JSON.parse(body);
        tampers.set(path, claims);
        res.writeHead(204).end();
      });
      return;
    }
    if (req.url === '/common/v2.0/.well-known/openid-configuration' && mounted.length > 0) {
      // Entra ID's multi-tenant endpoint: the discovery document of a tenant, its issuer a template.
      void fetchOwnDiscovery(mounted[0].path).then((metadata) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...metadata, issuer: `${origin}/{tenantid}/v2.0` }));
      });
      return;
    }
    const target = mounted.find((m) => req.url === m.path || req.url.startsWith(`${m.path}/`));
    if (!target) return void res.writeHead(404).end();
    // What express does for `app.use(path, provider.callback())`: oidc-provider derives its mount path
    // from originalUrl and the stripped url.
    req.originalUrl = req.url;
    req.url = req.url.slice(target.path.length) || '/';
    target.callback(req, res);
  },
);
/** The discovery document of the provider mounted at `path`, as it answers it (asked of itself, over loopback). */
function fetchOwnDiscovery(path) {
  return new Promise((resolve, reject) => {
    const url = `${origin}${path}/.well-known/openid-configuration`;
    // This server's own certificate, on loopback: nothing to verify.
    get(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

server.listen(config.port, '127.0.0.1', () => process.stdout.write(`listening ${origin}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
