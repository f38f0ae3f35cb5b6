// Sign-in: a client or admin token, checked with a call only those roles may make.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { checkToken } from '../api.js';

export function SignIn({ notice, onSignedIn }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste a token first.');
      return;
    }
    setBusy(true);
    setError('');
    const result = await checkToken(value);
    setBusy(false);
    if (result.ok) onSignedIn(value);
    else setError(result.message);
  };

  return html`
    <main id="main" class="signin">
      <form onSubmit=${submit} aria-describedby="signin-help">
        <h1>ia console</h1>
        ${notice && html`<p class="notice" role="status">${notice}</p>`}
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false"
          value=${token} onInput=${(e) => setToken(e.target.value)} autofocus
          aria-invalid=${error ? 'true' : 'false'} aria-errormessage="signin-error" />
        <button type="submit" disabled=${busy}>${busy ? 'Checking…' : 'Sign in'}</button>
        ${error && html`<p id="signin-error" class="error" role="alert">${error}</p>`}
        <p id="signin-help" class="help">
          A client or admin token of this ia-sched. An admin makes one with${' '}
          <code>ia-sched token create --role client</code>. It is kept in this tab only
          (sessionStorage) and sent as a bearer header; the console sets no cookies.
        </p>
      </form>
    </main>`;
}
