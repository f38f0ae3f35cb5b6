// Client-side pages under /web with the History API; ia-sched answers every /web path
// with the same index.html, so a reload or a shared link lands on the right page.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();

export function navigate(path) {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  listeners.forEach((fn) => fn());
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => listeners.forEach((fn) => fn()));

export function useLocation() {
  const [where, setWhere] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setWhere(location.pathname + location.search);
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return where;
}

export function Link({ href, children, ...rest }) {
  const click = (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}

// '/web/tasks/12' -> {page: 'task', id: 12}
export function match(path) {
  const clean = path.split('?')[0].replace(/\/+$/, '') || '/web';
  if (clean === '/web') return { page: 'overview' };
  if (clean === '/web/submit') return { page: 'submit' };
  if (clean === '/web/monitor') return { page: 'monitor' };
  const task = /^\/web\/tasks\/(\d+)$/.exec(clean);
  if (task) return { page: 'task', id: Number(task[1]) };
  return { page: 'missing' };
}
