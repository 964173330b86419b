// The citizen view explorer: GraphiQL with the Explorer plugin, served by the gateway at `/`.
// Everything it loads comes from the gateway's own origin: no CDN, no fonts from elsewhere.
//
// The page asks for the access token first. Only then does it fetch the schema (with the token),
// and only a schema the gateway gave for that token opens GraphiQL; a token the gateway refuses
// (401/403) brings back the prompt with the gateway's reason.
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { GraphiQL } from 'graphiql';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';

import './explorer.css';
import { createFetcher, fetchSchema, Refusal } from './gateway.js';
import { RefusalNotice, TokenPrompt } from './TokenPrompt.jsx';
import { TokenInUse } from './TokenInUse.jsx';
import { forgetTab, keepTab, readToken, storeToken, tabStorage } from './token.js';

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

const DEFAULT_QUERY = `# Build a question by ticking fields in the Explorer on the left,
# or type it here. Run it with the play button (or Ctrl-Enter).
#
# You see only what your role may see for your purpose, and
# every question is recorded in the gateway's audit log.
query CitizenView {
  __typename
}
`;

// Created once: GraphiQL resets the open plugin whenever `visiblePlugin` changes identity.
const EXPLORER = explorerPlugin({ showAttribution: false });
const PLUGINS = [EXPLORER];

// phase: 'prompt' (no token; `refusal` says why the last one was refused), 'checking' (the
// schema is being fetched with `token`), 'ready' (`schema` is what the gateway gave for `token`).
function initialSession() {
  const token = readToken();
  return token ? { phase: 'checking', token } : { phase: 'prompt', token: '' };
}

function asRefusal(error) {
  return error instanceof Refusal ? error : new Refusal(-1, String(error?.message ?? error));
}

function Workbench({ token, schema, onLapsed }) {
  const fetcher = useMemo(() => createFetcher(token, onLapsed), [token, onLapsed]);
  return (
    <main className="explorer-main">
      <GraphiQL
        fetcher={fetcher}
        schema={schema}
        storage={tabStorage}
        plugins={PLUGINS}
        visiblePlugin={EXPLORER}
        defaultQuery={DEFAULT_QUERY}
        shouldPersistHeaders={false}
      >
        <GraphiQL.Logo>{null}</GraphiQL.Logo>
      </GraphiQL>
    </main>
  );
}

function Explorer() {
  const [session, setSession] = useState(initialSession);
  // A 401 while working: the token expired (or was withdrawn) after it was accepted.
  const [lapsed, setLapsed] = useState(null);

  useEffect(() => {
    if (session.phase !== 'checking') return undefined;
    let current = true;
    fetchSchema(session.token).then(
      (schema) => {
        if (!current) return;
        storeToken(session.token);
        keepTab();
        setSession({ phase: 'ready', token: session.token, schema });
      },
      (error) => {
        if (!current) return;
        storeToken('');
        setSession({ phase: 'prompt', token: '', refusal: asRefusal(error) });
      },
    );
    return () => {
      current = false;
    };
  }, [session]);

  const submitToken = (token) => {
    setLapsed(null);
    setSession({ phase: 'checking', token });
  };
  const forget = () => {
    forgetTab();
    setLapsed(null);
    setSession({ phase: 'prompt', token: '' });
  };
  const enterNewToken = () => {
    storeToken('');
    setSession({ phase: 'prompt', token: '', refusal: lapsed });
    setLapsed(null);
  };

  const ready = session.phase === 'ready';
  return (
    <div className="explorer-page">
      <header className="explorer-header">
        <h1>Citizen view explorer</h1>
        {ready ? <TokenInUse token={session.token} onForget={forget} /> : null}
      </header>
      {ready && lapsed ? (
        <div className="lapsed">
          <RefusalNotice refusal={lapsed} hint="Your queries are kept: enter a new token to carry on." />
          <button type="button" onClick={enterNewToken}>
            Enter a new token
          </button>
        </div>
      ) : null}
      {ready ? (
        <Workbench
          key={session.token}
          token={session.token}
          schema={session.schema}
          onLapsed={setLapsed}
        />
      ) : (
        <TokenPrompt
          checking={session.phase === 'checking'}
          refusal={session.refusal ?? null}
          onSubmit={submitToken}
        />
      )}
    </div>
  );
}

createRoot(document.getElementById('explorer')).render(
  <StrictMode>
    <Explorer />
  </StrictMode>,
);
