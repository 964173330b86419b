// Who the explorer is asking as: the token's user, roles, purpose, attributes and expiry, read
// from the token for display only (the gateway verifies it), with a button to forget it.
import { useEffect, useMemo, useState } from 'react';

import { claimsOf } from './token.js';

const TICK_MS = 15_000;
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function useNow() {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** `direct_care` → `direct care`: the policy's words, readable. */
function words(name) {
  return name.replace(/_/g, ' ');
}

function capitalised(name) {
  const text = words(name);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function timeUntil(ms) {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'in less than a minute';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} h ${minutes % 60} min`;
  return `in ${Math.floor(hours / 24)} days`;
}

function Expiry({ expires, now }) {
  if (!expires) return <dd>never (no expiry in the token)</dd>;
  const sameDay = new Date(now).toDateString() === expires.toDateString();
  const when = (sameDay ? TIME : DATE_TIME).format(expires);
  if (expires.getTime() <= now) {
    return (
      <dd className="expired" title="Choose Forget token and enter a new one">
        expired at {when}
      </dd>
    );
  }
  return (
    <dd title={expires.toString()}>
      {when} <span className="muted">({timeUntil(expires.getTime() - now)})</span>
    </dd>
  );
}

export function TokenInUse({ token, onForget }) {
  const claims = useMemo(() => claimsOf(token), [token]);
  const now = useNow();
  return (
    <section className="token-in-use" aria-label="Token in use">
      {claims ? (
        <dl>
          <div>
            <dt>User</dt>
            <dd>{claims.user ?? 'unnamed'}</dd>
          </div>
          <div>
            <dt>{claims.roles.length === 1 ? 'Role' : 'Roles'}</dt>
            <dd>{claims.roles.map(words).join(', ') || 'none'}</dd>
          </div>
          <div>
            <dt>Purpose</dt>
            <dd>{claims.purpose ? words(claims.purpose) : 'none'}</dd>
          </div>
          {claims.attributes.map(([name, value]) => (
            <div key={name}>
              <dt>{capitalised(name)}</dt>
              <dd>{value}</dd>
            </div>
          ))}
          <div>
            <dt>Expires</dt>
            <Expiry expires={claims.expires} now={now} />
          </div>
        </dl>
      ) : (
        <span>A token is in use (its details cannot be shown).</span>
      )}
      <button type="button" onClick={onForget} title="Forget the token and this tab's queries">
        Forget token
      </button>
    </section>
  );
}
