import { ApiError, formatBytes, formatDuration, formatPercent, type ContainersResponse } from '@gov/api';
import { useState } from 'preact/hooks';
import { describeError } from '../session.js';
import { usePoll } from '../use-poll.js';
import type { Session } from './app.js';
import { Note, type NoteMessage } from './note.js';

type Container = ContainersResponse['containers'][number];

function idleText(container: Container): string {
  if (container.state === 'paused') return 'paused';
  if (container.idleForMs === null) return '—';
  return container.idleForMs === 0 ? 'busy' : formatDuration(container.idleForMs);
}

/** The containers govd sees, what they hold, and pause/unpause under the same guards as the CLI. */
export function Containers(props: { session: Session; afterAction: () => void }) {
  const { session } = props;
  const listing = usePoll(() => session.client.containers(), 5000);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<NoteMessage | null>(null);

  async function act(container: Container, action: 'pause' | 'unpause') {
    if (!session.hasToken) return session.askForToken();
    setBusy(container.id);
    setMessage(null);
    try {
      if (action === 'pause') {
        const decision = await session.client.pauseContainer({ name: container.id });
        setMessage({ bad: false, text: decision.action === 'would-pause' ? `${container.name}: would be paused (dry run: nothing changed).` : `${container.name} paused; ${formatBytes(decision.freedBytes)} left its cgroup.` });
      } else {
        const result = await session.client.unpauseContainer({ name: container.id });
        setMessage({ bad: false, text: result.action === 'unpaused' ? `${container.name} unpaused.` : `${container.name} was not paused.` });
      }
      listing.refresh();
      props.afterAction();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) session.tokenRefused();
      setMessage({ bad: true, text: `${container.name}: ${describeError(error)}` });
    } finally {
      setBusy(null);
    }
  }

  const data = listing.data;
  return (
    <section aria-labelledby="containers-title" class="wide">
      <h2 id="containers-title">Containers</h2>
      {!data ? (
        <p class="dim">{listing.error ?? 'Listing…'}</p>
      ) : !data.available ? (
        <p class="dim">No Docker engine answers{data.error ? `: ${data.error}` : ''}.</p>
      ) : data.containers.length === 0 ? (
        <p class="dim">No running or paused containers.</p>
      ) : (
        <table class="containers">
          <caption class="dim">
            As listed at {data.sampledAt ? new Date(data.sampledAt).toLocaleTimeString() : '—'}; idle means under the configured CPU threshold.
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Memory</th>
              <th scope="col">CPU</th>
              <th scope="col">Idle for</th>
              <th scope="col">
                <span class="sr-only">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.containers.map((container) => {
              const never = container.labels['gov.pause']?.trim().toLowerCase() === 'never';
              return (
                <tr key={container.id}>
                  <th scope="row" data-label="Name">
                    <span class="name">{container.name}</span>
                    <span class="dim image">{container.image}</span>
                    {never ? <span class="pill">gov.pause=never</span> : null}
                  </th>
                  <td data-label="State">
                    {container.state === 'paused' ? <span class="pill warn">{container.pausedByGov ? 'paused by gov' : 'paused'}</span> : 'running'}
                  </td>
                  <td data-label="Memory">
                    {formatBytes(container.memory?.usage)}
                    {container.memory ? <span class="dim"> ({formatBytes(container.memory.cache)} cache)</span> : null}
                  </td>
                  <td data-label="CPU">{formatPercent(container.cpu?.percent)}</td>
                  <td data-label="Idle for">{idleText(container)}</td>
                  <td data-label="Action">
                    {container.state === 'paused' ? (
                      <button type="button" disabled={busy === container.id} onClick={() => act(container, 'unpause')} aria-label={`Unpause ${container.name}`}>
                        Unpause
                      </button>
                    ) : (
                      <button type="button" disabled={busy === container.id || never} onClick={() => act(container, 'pause')} aria-label={`Pause ${container.name}`} title={never ? 'labelled gov.pause=never' : undefined}>
                        Pause
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <Note message={message} />
    </section>
  );
}
