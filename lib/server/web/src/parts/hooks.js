// Preact hooks shared by the pages: data that reloads on the events that change it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { live } from '../live.js';

// Runs load() now, again (at most every 250 ms) on each event that wants(event) says
// concerns it, whenever the feed reconnects, and every `every` ms when given (for what
// changes without an event, like heartbeats); returns {data, error, reload}.
export function useLiveData(load, wants, deps = [], every = 0) {
  const [state, setState] = useState({ data: null, error: null });
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useRef(null);
  useEffect(() => {
    let cancelled = false;
    let timer = null;
    const run = async () => {
      timer = null;
      try {
        const data = await loadRef.current();
        if (!cancelled) setState({ data, error: null });
      } catch (error) {
        if (!cancelled && error.name !== 'AbortError') setState((old) => ({ data: old.data, error }));
      }
    };
    const soon = () => {
      if (timer === null) timer = setTimeout(run, 250);
    };
    reload.current = run;
    run();
    const poll = every ? setInterval(soon, every) : null;
    const feed = live.feed;
    const offEvent = feed ? feed.on((event) => { if (wants(event)) soon(); }) : () => {};
    const offState = feed ? feed.onState((s) => { if (s === 'live') soon(); }) : () => {};
    return () => {
      cancelled = true;
      clearTimeout(timer);
      clearInterval(poll);
      offEvent();
      offState();
    };
  }, deps);
  return { ...state, reload: () => reload.current && reload.current() };
}

// Re-renders every period ms (for "5 s ago" and the charts' moving hour).
export function useTick(period) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), period);
    return () => clearInterval(id);
  }, [period]);
}
