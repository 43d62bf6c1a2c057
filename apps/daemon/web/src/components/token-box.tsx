import type { Ref } from 'preact';
import { useState } from 'preact/hooks';

/** The API token, asked for once per tab; only a password field, never a URL. */
export function TokenBox(props: { hasToken: boolean; note: string | null; stateDir: string | null; inputRef: Ref<HTMLInputElement>; onSave: (token: string | null) => void }) {
  const [draft, setDraft] = useState('');
  if (props.hasToken) {
    return (
      <div class="token">
        <span class="pill ok">actions unlocked</span>
        <button type="button" class="link" onClick={() => props.onSave(null)}>
          Forget token
        </button>
      </div>
    );
  }
  return (
    <form
      class="token"
      onSubmit={(event) => {
        event.preventDefault();
        const token = draft.trim();
        if (token !== '') props.onSave(token);
        setDraft('');
      }}
    >
      <label for="token">API token</label>
      <input
        id="token"
        ref={props.inputRef}
        type="password"
        autocomplete="off"
        spellcheck={false}
        value={draft}
        aria-describedby="token-help"
        onInput={(event) => setDraft(event.currentTarget.value)}
      />
      <button type="submit">Unlock</button>
      <p id="token-help" class={props.note ? 'note bad' : 'note'} role={props.note ? 'alert' : undefined}>
        {props.note ?? `Needed to act. It is the file "token" in ${props.stateDir ?? 'govd\'s state directory'}; kept in this tab only.`}
      </p>
    </form>
  );
}
