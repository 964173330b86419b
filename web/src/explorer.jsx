// The citizen view explorer: GraphiQL with the Explorer plugin, served by the gateway at `/`.
// Everything it loads comes from the gateway's own origin: no CDN, no fonts from elsewhere.
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';

import './explorer.css';

const GRAPHQL_ENDPOINT = '/graphql';
const TOKEN_KEY = 'citizen-explorer.bearer-token';

// Monaco asks for a worker by label; each worker is a script of its own next to this bundle
// (the build defines MONACO_WORKERS as { label: hashed file name }). `document.currentScript`
// is only set while a classic script first runs, so the base is read here, at the top level.
const ASSET_BASE = new URL('.', document.currentScript.src);
self.MonacoEnvironment = {
  getWorker(_moduleId, label) {
    const file = MONACO_WORKERS[label] ?? MONACO_WORKERS.editor;
    return new Worker(new URL(file, ASSET_BASE), { name: label });
  },
};

const DEFAULT_QUERY = `# 1. Paste your access token above.
# 2. Tick fields in the Explorer,
#    or type a query here.
# 3. Run it: play button or Ctrl-Enter.
query CitizenView {
  __typename
}
`;

// Created once: GraphiQL resets the open plugin whenever `visiblePlugin` changes identity.
const EXPLORER = explorerPlugin({ showAttribution: false });
const PLUGINS = [EXPLORER];

function readToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage refused (private mode, policy): the token still lives for this page.
  }
}

function TokenForm({ token, onChange }) {
  const [draft, setDraft] = useState(token);
  const submit = (event) => {
    event.preventDefault();
    onChange(draft.trim().replace(/^Bearer\s+/i, ''));
  };
  const forget = () => {
    setDraft('');
    onChange('');
  };
  return (
    <form className="token-form" onSubmit={submit}>
      <label htmlFor="bearer-token">Access token</label>
      <input
        id="bearer-token"
        name="bearer-token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder="Paste your bearer token"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <button type="submit">Use token</button>
      <button type="button" onClick={forget} disabled={!token && !draft}>
        Forget
      </button>
      <span className="token-state" role="status">
        {token ? 'Token in use for this tab' : 'No token: requests are anonymous'}
      </span>
    </form>
  );
}

function Explorer() {
  const [token, setToken] = useState(readToken);
  // A new fetcher makes GraphiQL introspect again, so the schema follows the token's role.
  const fetcher = useMemo(
    () =>
      createGraphiQLFetcher({
        url: GRAPHQL_ENDPOINT,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      }),
    [token],
  );
  const changeToken = (next) => {
    storeToken(next);
    setToken(next);
  };
  return (
    <div className="explorer-page">
      <header className="explorer-header">
        <h1>Citizen view explorer</h1>
        <TokenForm token={token} onChange={changeToken} />
      </header>
      <main className="explorer-main">
        <GraphiQL
          fetcher={fetcher}
          plugins={PLUGINS}
          visiblePlugin={EXPLORER}
          defaultQuery={DEFAULT_QUERY}
          shouldPersistHeaders={false}
        >
          <GraphiQL.Logo>{null}</GraphiQL.Logo>
        </GraphiQL>
      </main>
    </div>
  );
}

createRoot(document.getElementById('explorer')).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
