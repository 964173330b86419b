// Talking to the gateway's /graphql: the schema (fetched once a token is in use) and GraphiQL's
// fetcher. Every request carries the token; the gateway answers 401 (no, bad or expired token)
// or 403 (a role or purpose the access policy does not know) with a GraphQL error saying why.
import { buildClientSchema, getIntrospectionQuery } from 'graphql';

const GRAPHQL_ENDPOINT = '/graphql';
const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

/** The gateway would not answer: `status` is the HTTP status (0: it could not be reached). */
export class Refusal extends Error {
  constructor(status, message, code = null) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** True when the gateway refused the token itself (rather than failing to answer). */
  get isAboutToken() {
    return this.status === 401 || this.status === 403;
  }
}

async function post(token, body, extraHeaders = {}) {
  const headers = new Headers({
    'Content-Type': 'application/json',
    Accept: ACCEPT,
    Authorization: `Bearer ${token}`,
  });
  // Values typed into GraphiQL's Headers editor win (set() replaces, whatever the case).
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, String(value));
  try {
    return await fetch(GRAPHQL_ENDPOINT, { method: 'POST', headers, body: JSON.stringify(body) });
  } catch (error) {
    throw new Refusal(0, `the gateway could not be reached (${error.message})`);
  }
}

async function readBody(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function refusalOf(response, body) {
  const error = Array.isArray(body?.errors) ? body.errors[0] : null;
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message
      : `the gateway answered HTTP ${response.status} ${response.statusText}`.trim();
  return new Refusal(response.status, message, error?.extensions?.code ?? null);
}

/** The schema this token may see, or a Refusal saying why the gateway would not give it. */
export async function fetchSchema(token) {
  const response = await post(token, {
    query: getIntrospectionQuery(),
    operationName: 'IntrospectionQuery',
  });
  const body = await readBody(response);
  if (!response.ok || !body?.data?.__schema) throw refusalOf(response, body);
  return buildClientSchema(body.data);
}

/** GraphiQL's fetcher for this token. `onRefused(refusal)` hears of a 401 (the token expired
 * while in use); the response still goes to the result pane as it came. A 403 here is about
 * the query (a field the policy refuses), not the token: the result pane says which. */
export function createFetcher(token, onRefused) {
  return async (params, options) => {
    let response;
    try {
      response = await post(token, params, options?.headers ?? {});
    } catch (refusal) {
      return { errors: [{ message: refusal.message }] };
    }
    const body = await readBody(response);
    const refusal = response.ok ? null : refusalOf(response, body);
    if (refusal?.status === 401) onRefused(refusal);
    return body ?? { errors: [{ message: refusal?.message ?? 'the gateway sent no JSON' }] };
  };
}
