// The bearer token as this tab keeps it, and what the page shows about it.
//
// The token lives in sessionStorage: it is gone when the tab closes, and other tabs never see
// it. The page reads the token's claims only to show who is signed in; the gateway verifies
// the token on every request and is the only judge of it.

const TOKEN_KEY = 'citizen-explorer.bearer-token';
// GraphiQL's own keys (queries, history, tabs), kept in the same tab-scoped storage.
const GRAPHIQL_PREFIX = 'graphiql:';

// Claims with a meaning of their own (gateway/auth.py); every other string claim is an attribute.
const RESERVED = new Set(['exp', 'iss', 'aud', 'sub', 'iat', 'nbf', 'jti', 'roles', 'purpose']);

export function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage refused (private mode, policy): the token still lives for this page.
  }
}

// GraphiQL writes its state (tabs, queries) a moment after each change, even after it has been
// taken off the page: once the token is forgotten those late writes are dropped, so nothing of
// the forgotten session comes back.
let keeping = false;

function removeGraphiQLKeys() {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(GRAPHIQL_PREFIX)) sessionStorage.removeItem(key);
    }
  } catch {
    // Nothing was stored.
  }
}

/** From now on GraphiQL may keep its state in this tab (a token is in use). */
export function keepTab() {
  keeping = true;
}

/** Forgets the token and everything the explorer kept in this tab (queries, history). */
export function forgetTab() {
  keeping = false;
  storeToken('');
  removeGraphiQLKeys();
}

/** GraphiQL's storage (its StorageAPI interface) in this tab's sessionStorage, not localStorage:
 * queries may name citizens, and must not outlive the tab on a shared computer. */
export const tabStorage = {
  getItem: (key) => sessionStorage.getItem(key),
  setItem: (key, value) => {
    if (keeping) sessionStorage.setItem(key, value);
  },
  removeItem: (key) => sessionStorage.removeItem(key),
  get length() {
    return Object.keys(sessionStorage).filter((key) => key.startsWith(GRAPHIQL_PREFIX)).length;
  },
  clear: removeGraphiQLKeys,
};

/** What the user pasted, as a bare token: without a `Bearer ` prefix or whitespace. */
export function cleanToken(text) {
  return text.trim().replace(/^Bearer\s+/i, '').replace(/\s+/g, '');
}

/** The token's claims for display, or null if it is not a readable JWT. Not verified. */
export function claimsOf(token) {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims !== 'object' || claims === null) return null;
    return {
      user: typeof claims.sub === 'string' ? claims.sub : null,
      roles: Array.isArray(claims.roles) ? claims.roles.filter((r) => typeof r === 'string') : [],
      purpose: typeof claims.purpose === 'string' ? claims.purpose : null,
      expires: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
      attributes: Object.entries(claims).filter(
        ([name, value]) => !RESERVED.has(name) && typeof value === 'string',
      ),
    };
  } catch {
    return null;
  }
}
