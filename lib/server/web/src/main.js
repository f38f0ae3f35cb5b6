// The console's shell: sign-in gate, navigation, connection banner, pages.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { onTokenRefused, session } from './api.js';
import { live } from './live.js';
import { Link, match, useLocation } from './router.js';
import { timeZone } from './format.js';
import { SignIn } from './pages/signin.js';
import { Overview } from './pages/overview.js';
import { Submit } from './pages/submit.js';
import { Monitor } from './pages/monitor.js';
import { TaskPage } from './pages/task.js';

const TITLES = { overview: 'Overview', submit: 'Submit', monitor: 'Monitor', task: 'Task', missing: 'Not found' };

function Connection() {
  const [state, setState] = useState(live.feed ? live.feed.state : 'connecting');
  const [detail, setDetail] = useState('');
  useEffect(() => {
    if (!live.feed) return undefined;
    setState(live.feed.state);
    return live.feed.onState((s, d) => { setState(s); setDetail(d); });
  }, []);
  if (state === 'live') return html`<span class="conn conn-live" data-conn="live">live</span>`;
  if (state === 'connecting') return html`<span class="conn" data-conn="connecting">connecting…</span>`;
  const text = state === 'refused' ? 'The event stream was refused.' : 'Connection to ia-sched lost; reconnecting…';
  return html`<div class="banner" role="alert" data-conn=${state}>${text} <small>${detail}</small></div>`;
}

function Nav({ page, onSignOut }) {
  const item = (href, name, label) => html`
    <${Link} href=${href} class=${page === name ? 'active' : ''} aria-current=${page === name ? 'page' : undefined}>${label}</${Link}>`;
  return html`
    <header class="top">
      <a class="skip" href="#main">Skip to content</a>
      <span class="brand">ia</span>
      <nav aria-label="Pages">
        ${item('/web', 'overview', 'Overview')}
        ${item('/web/submit', 'submit', 'Submit')}
        ${item('/web/monitor', 'monitor', 'Monitor')}
      </nav>
      <${Connection} />
      <button class="link" onClick=${onSignOut}>Sign out</button>
    </header>`;
}

function Page({ route }) {
  if (route.page === 'overview') return html`<${Overview} />`;
  if (route.page === 'submit') return html`<${Submit} />`;
  if (route.page === 'monitor') return html`<${Monitor} />`;
  if (route.page === 'task') return html`<${TaskPage} id=${route.id} key=${route.id} />`;
  return html`<section><h1>Not found</h1><p>No console page here. <${Link} href="/web">Overview</${Link}></p></section>`;
}

function App() {
  const [token, setToken] = useState(session.token());
  const [notice, setNotice] = useState('');
  const where = useLocation();
  const route = match(where.replace(/^\/web\/index\.html/, '/web'));

  useEffect(() => onTokenRefused(() => {
    live.stop();
    session.clear();
    setNotice('ia-sched no longer accepts this token; sign in again.');
    setToken('');
  }), []);
  useEffect(() => { document.title = `${TITLES[route.page]} · ia console`; }, [route.page]);

  const signOut = () => {
    live.stop();
    session.clear();
    setNotice('Signed out.');
    setToken('');
  };
  if (!token) {
    return html`<${SignIn} notice=${notice} onSignedIn=${(t) => { session.save(t); live.start(t); setNotice(''); setToken(t); }} />`;
  }
  return html`
    <${Nav} page=${route.page} onSignOut=${signOut} key=${token} />
    <main id="main" tabindex="-1"><${Page} route=${route} /></main>
    <footer>Times in ${timeZone}.</footer>`;
}

// Started before the first render, so every page's effects find the feed.
if (session.token()) live.start(session.token());
// The event stream holds one of the browser's six connections to ia-sched; a page being
// left gives it back at once rather than when the browser gets round to it.
window.addEventListener('pagehide', () => live.stop());
window.addEventListener('pageshow', (event) => { if (event.persisted) location.reload(); });
render(html`<${App} />`, document.getElementById('app'));
