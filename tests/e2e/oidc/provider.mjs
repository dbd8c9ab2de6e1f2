// A tiny OpenID Connect provider for the sign-in browser tests (tests/e2e/test_sign_in.py).
//
//   node provider.mjs PORT APP_PORT          (or OIDC_PORT / APP_PORT in the environment)
//
// Listens on http://127.0.0.1:PORT only, with one static client (the Streamlit app on
// http://127.0.0.1:APP_PORT) and a few static test accounts. Its own small sign-in form replaces
// oidc-provider's devInteractions (whose pages load web fonts from the internet): the test types an
// account's email and presses "Sign in"; no password. Nothing here fetches anything from the network.
// Test-only: static secrets, in-memory state, development settings. Never run it anywhere else.

import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const HOST = '127.0.0.1';
const port = Number(process.argv[2] ?? process.env.OIDC_PORT);
const appPort = Number(process.argv[3] ?? process.env.APP_PORT);
if (!Number.isInteger(port) || !Number.isInteger(appPort)) {
  console.error('usage: node provider.mjs PORT APP_PORT   (or OIDC_PORT and APP_PORT in the environment)');
  process.exit(2);
}

const ISSUER = `http://${HOST}:${port}`;
const APP_CALLBACK = `http://${HOST}:${appPort}/oauth2callback`;

// The client the app's [auth] secrets name (tests/e2e/oidc_fixtures.py writes the same values).
const CLIENT_ID = process.env.OIDC_CLIENT_ID ?? 'privacyops-test';
const CLIENT_SECRET = process.env.OIDC_CLIENT_SECRET ?? 'privacyops-test-client-secret';

// The people this provider knows: account id = what the test types. The email claim is the account id unless
// `email` says otherwise; `verified` (default true) is the email_verified claim; `groups` the "groups" claim.
// The impostor registered the DPO's address without proving it (a provider that lets people do so).
const ACCOUNTS = {
  'dpo@example.com': { name: 'Dana Dpo', groups: [] },
  'ana.analyst@example.com': { name: 'Ana Analyst', groups: [] },
  'sam.support@example.com': { name: 'Sam Support', groups: [] },
  'mia.manager@example.com': { name: 'Mia Manager', groups: ['privacy-management'] },
  'stranger@example.com': { name: 'Stig Stranger', groups: [] },
  'impostor@example.com': { name: 'Ivan Impostor', groups: [], email: 'dpo@example.com', verified: false },
  // Signs in, but the provider releases no email claim for it (a misconfigured claim mapping): the app must
  // say so and grant nothing, even though its group has a role.
  'no.email.claim@example.com': { name: 'Nils Noemail', groups: ['privacy-management'], noEmail: true },
};

function findAccount(ctx, id) {
  const account = ACCOUNTS[id];
  if (!account) return undefined;
  return {
    accountId: id,
    async claims() {
      if (account.noEmail) return { sub: id, name: account.name, groups: account.groups };
      return {
        sub: id,
        email: account.email ?? id,
        email_verified: account.verified ?? true,
        name: account.name,
        groups: account.groups,
      };
    },
  };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' };

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:26rem;margin:3rem auto}input,button{font-size:1rem;padding:.4rem;width:100%;margin:.3rem 0}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: 'Privacy Ops (tests)',
    redirect_uris: [APP_CALLBACK],
    post_logout_redirect_uris: [APP_CALLBACK],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['privacyops-test-cookie-key'] },
  findAccount,
  // Streamlit builds st.user from the ID token alone: put the scopes' claims into it.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'groups'],
  },
  // A first-party client: consent is implied, so there is no consent screen to click through.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Sign out', `${form}<p>Sign out of the test identity provider?</p>
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  async renderError(ctx, out, error) {
    console.error('oidc error:', out, error?.message);
    ctx.type = 'html';
    ctx.body = page('Sign-in error', Object.entries(out)
      .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`).join(''));
  },
});

function loginForm(uid, error = '', login = '') {
  const problem = error ? `<p role="alert">${escapeHtml(error)}</p>` : '';
  return page('Sign in', `${problem}<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Email <input type="email" name="login" value="${escapeHtml(login)}" required autofocus></label>
<button type="submit">Sign in</button></form>`);
}

async function readForm(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(text);
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

// Our interactions: GET /interaction/UID shows the form, POST /interaction/UID/login signs in.
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Sign-in error', '<p>Unknown sign-in attempt.</p>'));
  if (details.prompt.name !== 'login') {
    return send(res, 501, page('Sign-in error', `<p>Unexpected prompt ${escapeHtml(details.prompt.name)}.</p>`));
  }
  if (req.method === 'GET' && !action) return send(res, 200, loginForm(uid));
  if (req.method === 'POST' && action === 'login') {
    const login = (await readForm(req)).get('login')?.trim().toLowerCase() ?? '';
    if (!ACCOUNTS[login]) return send(res, 200, loginForm(uid, `No test account ${login}.`, login));
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  return send(res, 405, page('Sign-in error', '<p>Method not allowed.</p>'));
}

const oidc = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(new URL(req.url, ISSUER).pathname);
  if (!match) return oidc(req, res);
  interaction(req, res, match[1], match[2]).catch((error) => {
    console.error('interaction failed:', error);
    if (!res.headersSent) send(res, 400, page('Sign-in error', `<p>${escapeHtml(error.message)}</p>`));
  });
  return undefined;
});

server.listen(port, HOST, () => {
  console.log(`test OpenID provider at ${ISSUER} for client ${CLIENT_ID} (callback ${APP_CALLBACK})`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
