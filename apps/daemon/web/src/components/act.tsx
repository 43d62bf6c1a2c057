import { ApiError, formatBytes, formatDuration, type ApiResponses, type ReclaimBody } from '@gov/api';
import { RECLAIM_METHODS } from '@gov/reclaimer/catalogue';
import { useState } from 'preact/hooks';
import { describeError } from '../session.js';
import type { Session } from './app.js';
import { Note, type NoteMessage } from './note.js';

type Method = (typeof RECLAIM_METHODS)[number];
type ReclaimResult = ApiResponses['reclaim'];

const METHOD_HELP: Record<Method, string> = {
  full: 'sync, drop the page cache and slab, then compact: the most it can give back',
  drop_caches: 'drop the page cache (level 1), reclaimable slab (2) or both (3)',
  compact_memory: 'compact free memory, so WSL2 can hand it back to Windows',
  cgroup_reclaim: 'ask the kernel to reclaim this many bytes of the root cgroup',
};

function ResultView(props: { result: ReclaimResult }) {
  const { result } = props;
  return (
    <div class="result">
      <p>
        <strong>{result.dryRun ? 'Plan (dry run: nothing was changed)' : `Reclaimed: ${formatBytes(result.freedBytes)} freed`}</strong> · {result.method}
        {result.targetBytes !== null ? `, target ${formatBytes(result.targetBytes)}` : ''} · {formatDuration(result.durationMs)}
      </p>
      {result.fallback ? <p class="dim">Ran {result.fallback.to} instead of {result.fallback.from}: {result.fallback.reason}</p> : null}
      <ol class="steps">
        {result.steps.map((step, index) => (
          <li key={index} class={step.status === 'failed' ? 'bad' : ''}>
            <code>{step.name}</code> <span class="pill">{step.status}</span> {step.detail ?? step.error?.message ?? ''}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Reclaim now (a dry-run preview first) and tell the learner how the machine feels. */
export function Act(props: { session: Session; dryRun: boolean; afterAction: () => void }) {
  const { session } = props;
  const [method, setMethod] = useState<Method>('full');
  const [level, setLevel] = useState<1 | 2 | 3>(1);
  const [targetMib, setTargetMib] = useState('');
  const [preview, setPreview] = useState<{ body: ReclaimBody; result: ReclaimResult } | null>(null);
  const [done, setDone] = useState<ReclaimResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [feedback, setFeedback] = useState<NoteMessage | null>(null);

  const body = (): ReclaimBody => ({
    method,
    ...(method === 'drop_caches' ? { level } : {}),
    ...((method === 'cgroup_reclaim' || method === 'full') && targetMib.trim() !== '' ? { targetBytes: Math.round(Number(targetMib) * 1024 * 1024) } : {}),
  });

  async function reclaim(dryRun: boolean) {
    if (!session.hasToken) return session.askForToken();
    setBusy(true);
    setError(null);
    try {
      const request = dryRun ? body() : (preview?.body ?? body());
      const result = await session.client.reclaim({ ...request, dryRun });
      if (dryRun) {
        setPreview({ body: request, result });
        setDone(null);
      } else {
        setDone(result);
        setPreview(null);
      }
      props.afterAction();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) session.tokenRefused();
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  async function sendFeedback(kind: 'slow' | 'ok') {
    if (!session.hasToken) return session.askForToken();
    try {
      await session.client.feedback({ kind, ...(note.trim() === '' ? {} : { note: note.trim() }) });
      props.afterAction();
      setFeedback({ text: kind === 'slow' ? 'Recorded: the machine was slow. The advisor will weigh the recent actions with it.' : 'Recorded: all fine.', bad: false });
      setNote('');
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 401) session.tokenRefused();
      setFeedback({ text: describeError(failure), bad: true });
    }
  }

  const changed = () => {
    setPreview(null);
    setDone(null);
  };

  return (
    <section aria-labelledby="act-title" class="wide">
      <h2 id="act-title">Act</h2>
      <div class="columns">
        <form
          class="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void reclaim(true);
          }}
        >
          <h3>Reclaim now</h3>
          <div class="field">
            <label for="reclaim-method">Method</label>
            <select id="reclaim-method" value={method} aria-describedby="reclaim-method-help" onChange={(event) => (setMethod(event.currentTarget.value as Method), changed())}>
              {RECLAIM_METHODS.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <p id="reclaim-method-help" class="help">
              {METHOD_HELP[method]}
            </p>
          </div>
          {method === 'drop_caches' ? (
            <div class="field">
              <label for="reclaim-level">Level</label>
              <select id="reclaim-level" value={String(level)} onChange={(event) => (setLevel(Number(event.currentTarget.value) as 1 | 2 | 3), changed())}>
                <option value="1">1 — page cache</option>
                <option value="2">2 — reclaimable slab</option>
                <option value="3">3 — both</option>
              </select>
            </div>
          ) : null}
          {method === 'cgroup_reclaim' || method === 'full' ? (
            <div class="field">
              <label for="reclaim-target">Target (MiB)</label>
              <input id="reclaim-target" type="number" inputMode="numeric" min={1} max={65536} step={1} value={targetMib} placeholder="as much as it can" aria-describedby="reclaim-target-help" onInput={(event) => (setTargetMib(event.currentTarget.value), changed())} />
              <p id="reclaim-target-help" class="help">
                1 to 65536 MiB; empty: no target
              </p>
            </div>
          ) : null}
          <div class="row">
            <button type="submit" disabled={busy}>
              Preview (dry run)
            </button>
            <button type="button" class="primary" disabled={busy || preview === null} onClick={() => void reclaim(false)} aria-describedby="reclaim-now-help">
              Reclaim now
            </button>
          </div>
          <p id="reclaim-now-help" class="help">
            {preview === null ? 'Preview first: it shows the plan without changing anything.' : props.dryRun ? 'govd runs as a dry run: "Reclaim now" records the plan and changes nothing.' : 'Runs the plan above for real.'}
          </p>
          {error ? (
            <p class="note bad" role="alert">
              {error}
            </p>
          ) : null}
          {preview ? <ResultView result={preview.result} /> : null}
          {done ? <ResultView result={done} /> : null}
        </form>
        <form class="stack" onSubmit={(event) => event.preventDefault()}>
          <h3>How does the machine feel?</h3>
          <div class="field">
            <label for="feedback-note">Note (optional)</label>
            <input id="feedback-note" type="text" maxLength={2000} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
          </div>
          <div class="row">
            <button type="button" onClick={() => void sendFeedback('slow')}>
              This was slow
            </button>
            <button type="button" onClick={() => void sendFeedback('ok')}>
              Fine
            </button>
          </div>
          <Note message={feedback} />
        </form>
      </div>
    </section>
  );
}
