// The first thing a caseworker sees: what the access token is, where to get one, and (after a
// try) why the gateway would not take it. Nothing is sent to /graphql before "Use token".
import { useState } from 'react';

import { cleanToken } from './token.js';

function sentence(text) {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

const DEV_TOKEN_COMMAND =
  'citizen-gateway token --user sam.k --role caseworker --purpose safeguarding --team north-children';

const REFUSALS = {
  401: {
    title: 'The gateway did not accept this token',
    hint: 'Get a new token from the sign-in service and paste it above.',
  },
  403: {
    title: 'This token may not use the citizen view',
    hint: 'Ask whoever arranged your access to check the role and purpose in your token.',
  },
  0: {
    title: 'The gateway could not be reached',
    hint: 'Check your connection and try again; if it keeps happening, tell the IT service desk.',
  },
};
const FAILED = {
  title: 'The gateway could not load the citizen view',
  hint: 'Try again in a moment; if it keeps happening, tell the IT service desk.',
};

function RefusalNotice({ refusal, hint = null }) {
  const known = REFUSALS[refusal.status] ?? FAILED;
  return (
    <div className="notice notice-error" role="alert">
      <strong className="notice-title">{known.title}</strong>
      <p>
        The gateway says: <q className="gateway-message">{sentence(refusal.message)}</q>
      </p>
      <p>{hint ?? known.hint}</p>
    </div>
  );
}

export function TokenPrompt({ checking, refusal, onSubmit }) {
  const [draft, setDraft] = useState('');
  const submit = (event) => {
    event.preventDefault();
    const token = cleanToken(draft);
    if (token) onSubmit(token);
  };
  return (
    <main className="prompt">
      <section className="prompt-card" aria-labelledby="prompt-title">
        <h2 id="prompt-title">Enter your access token</h2>
        <p>
          The explorer shows what the council's departments hold about a citizen. Your access
          token tells the gateway who you are, your <em>role</em> (for example caseworker) and
          your <em>purpose</em> (why you are looking, for example safeguarding). You see only what
          your role may see for that purpose, and every lookup is recorded in the audit log.
        </p>
        <h3>Where do I get a token?</h3>
        <p>
          From the council's sign-in service: it is a long line of text starting with{' '}
          <code>eyJ</code>. If you do not have one, ask your team's system administrator or the IT
          service desk for access to the citizen view, saying which role and purpose you need.
        </p>
        <form className="token-form" onSubmit={submit}>
          <label htmlFor="bearer-token">Access token</label>
          <div className="token-row">
            <input
              id="bearer-token"
              name="bearer-token"
              type="password"
              autoComplete="off"
              spellCheck={false}
              autoFocus
              placeholder="Paste your token here"
              aria-describedby="token-keeping"
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
            />
            <button type="submit" disabled={checking || !cleanToken(draft)}>
              {checking ? 'Checking…' : 'Use token'}
            </button>
          </div>
          <p id="token-keeping" className="token-keeping">
            Your token is kept only in this browser tab and sent only to this gateway. It is
            forgotten when you close the tab or choose <em>Forget token</em>.
          </p>
        </form>
        <p className="prompt-status" role="status">
          {checking ? 'Checking your token with the gateway…' : ''}
        </p>
        {refusal && !checking ? <RefusalNotice refusal={refusal} /> : null}
        <details className="prompt-developers">
          <summary>Running the gateway on your own computer?</summary>
          <p>
            With <code>GATEWAY_DEV_MODE=1</code>, the gateway prints a development token:
          </p>
          <pre>{DEV_TOKEN_COMMAND}</pre>
        </details>
      </section>
    </main>
  );
}

export { RefusalNotice, sentence };
