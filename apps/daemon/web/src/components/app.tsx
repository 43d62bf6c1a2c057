import { formatDuration, type StatusResponse } from '@gov/api';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiClient, storedToken, storeToken } from '../session.js';
import { usePoll } from '../use-poll.js';
import { Act } from './act.js';
import { Containers } from './containers.js';
import { HistoryChart } from './history-chart.js';
import { MemoryNow } from './memory-now.js';
import { Policy } from './policy.js';
import { TokenBox } from './token-box.js';

/** The performance mark set when govd's status is first on screen. */
export const STATUS_RENDERED_MARK = 'gov:status-rendered';

/** What every part that acts needs: the client with the token, and a way to ask for the token. */
export interface Session {
  client: ReturnType<typeof apiClient>;
  hasToken: boolean;
  /** Forgets a token govd refused, and puts the token field in front of the user. */
  tokenRefused(): void;
  askForToken(): void;
}

export function App(props: { firstStatus?: Promise<StatusResponse> }) {
  const [token, setToken] = useState<string | null>(storedToken);
  const [tokenNote, setTokenNote] = useState<string | null>(null);
  const tokenInput = useRef<HTMLInputElement>(null);
  const client = useMemo(() => apiClient(token), [token]);
  const status = usePoll(() => client.status(), 2000, '', props.firstStatus);
  // Counts what the user did here: the chart and the status read again after each action.
  const [actions, setActions] = useState(0);
  const acted = () => {
    setActions((count) => count + 1);
    status.refresh();
  };

  const session: Session = {
    client,
    hasToken: token !== null,
    tokenRefused() {
      storeToken(null);
      setToken(null);
      setTokenNote('govd refused that token. Paste the token from the file "token" in its state directory.');
      tokenInput.current?.focus();
    },
    askForToken() {
      setTokenNote('Paste the API token first: actions need it.');
      tokenInput.current?.focus();
    },
  };

  const saveToken = (value: string | null) => {
    storeToken(value);
    setToken(value);
    setTokenNote(null);
  };

  const s = status.data;
  const hasStatus = s !== null;
  useEffect(() => {
    // A user-timing mark: how long until the page shows govd's status (read by the browser tests).
    if (hasStatus && performance.getEntriesByName(STATUS_RENDERED_MARK).length === 0) performance.mark(STATUS_RENDERED_MARK);
  }, [hasStatus]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="brand">
          <h1>gov Control Center</h1>
          <p class="meta" aria-live="polite">
            {s ? (
              <>
                <span class={`pill ${status.error ? 'bad' : 'ok'}`}>{status.error ? 'not answering' : 'live'}</span> policy <strong>{s.policy}</strong>
                {s.dryRun ? <span class="pill warn">dry run</span> : null} · {s.capabilities.environment ?? 'sensing…'} · govd {s.version} · up {formatDuration(s.uptimeMs)}
              </>
            ) : status.error ? (
              <span class="pill bad">{status.error}</span>
            ) : (
              'connecting…'
            )}
          </p>
        </div>
        <TokenBox hasToken={token !== null} note={tokenNote} stateDir={s?.stateDir ?? null} inputRef={tokenInput} onSave={saveToken} />
      </header>
      <main id="main">
        <MemoryNow status={s} error={status.error} />
        <HistoryChart session={session} environment={s?.capabilities.environment ?? null} actions={actions} />
        <Containers session={session} afterAction={acted} />
        <Act session={session} dryRun={s?.dryRun ?? false} afterAction={acted} />
        <Policy session={session} afterSave={acted} />
      </main>
    </>
  );
}
