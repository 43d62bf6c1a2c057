import { ApiError, type ConfigResponse, type ConfigUpdateResponse } from '@gov/api';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { JsonSchemaNode } from '@gov/policies';
import { formFromSchema, inputText, parseInput, problemsByPath, valueAt, withValue, type Field, type FieldGroup } from '../schema-form.js';
import { describeError } from '../session.js';
import type { Session } from './app.js';
import { Note, type NoteMessage } from './note.js';

type Config = ConfigResponse['config'];
const POLICY_TABLES = ['dynamic', 'aggressive', 'conservative', 'scheduled'];

const fieldId = (path: string) => `cfg-${path.replace(/\./g, '-')}`;
const defaultText = (field: Field) => (Array.isArray(field.default) ? (field.default.length === 0 ? 'none' : field.default.join(', ')) : String(field.default));

function FieldInput(props: { field: Field; value: unknown; problem: string | undefined; onChange: (value: unknown) => void }) {
  const { field, value, problem } = props;
  const id = fieldId(field.path);
  const describedBy = `${id}-help${problem ? ` ${id}-error` : ''}`;
  const help = (
    <p id={`${id}-help`} class="help">
      {field.description} <span class="dim">({field.allowed}; default {defaultText(field)})</span>
    </p>
  );
  const error = problem ? (
    <p id={`${id}-error`} class="field-error">
      {problem}
    </p>
  ) : null;
  if (field.kind === 'boolean') {
    return (
      <div class={`field check${problem ? ' invalid' : ''}`}>
        <label for={id}>
          <input id={id} type="checkbox" checked={value === true} aria-describedby={describedBy} aria-invalid={problem ? true : undefined} onChange={(event) => props.onChange(event.currentTarget.checked)} /> {field.label}
        </label>
        {help}
        {error}
      </div>
    );
  }
  return (
    <div class={`field${problem ? ' invalid' : ''}`}>
      <label for={id}>{field.label}</label>
      {field.kind === 'enum' ? (
        <select id={id} value={String(value)} aria-describedby={describedBy} aria-invalid={problem ? true : undefined} onChange={(event) => props.onChange(event.currentTarget.value)}>
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type="text"
          inputMode={field.kind === 'integer' ? 'numeric' : field.kind === 'number' ? 'decimal' : undefined}
          value={inputText(field, value)}
          placeholder={defaultText(field)}
          spellcheck={false}
          aria-describedby={describedBy}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => props.onChange(parseInput(field, event.currentTarget.value))}
        />
      )}
      {help}
      {error}
    </div>
  );
}

function Group(props: { group: FieldGroup; draft: Config; problems: Map<string, string>; onChange: (path: string, value: unknown) => void; skip?: (field: Field) => boolean }) {
  return (
    <div class="fields">
      {props.group.fields
        .filter((field) => !props.skip?.(field))
        .map((field) => (
          <FieldInput key={field.path} field={field} value={valueAt(props.draft, field.path)} problem={props.problems.get(field.path)} onChange={(value) => props.onChange(field.path, value)} />
        ))}
    </div>
  );
}

function savedText(saved: ConfigUpdateResponse): string {
  const what = saved.write.changed.length === 0 ? 'Nothing changed' : `Saved ${saved.write.changed.join(', ')}`;
  const how = {
    patched: `only those lines of ${saved.path} changed; its comments and layout are kept`,
    replaced: `${saved.path} is now the text you sent`,
    created: `${saved.path} was created with every key commented`,
    rewritten: `${saved.path} was rewritten whole (its layout was beyond a line edit); the old file is ${saved.write.backupPath}`,
  }[saved.write.mode];
  const restart = saved.restartRequired.length > 0 ? ` ${saved.restartRequired.join(', ')} take effect when govd restarts.` : ' It applies from the next tick.';
  return `${what}: ${how}.${restart}`;
}

/** The config as a form generated from its JSON Schema, with govd's own validation next to each field; the file's text as an advanced view. */
export function Policy(props: { session: Session; afterSave: () => void }) {
  const { session } = props;
  const [schema, setSchema] = useState<JsonSchemaNode | null>(null);
  const [current, setCurrent] = useState<ConfigResponse | null>(null);
  const [draft, setDraft] = useState<Config | null>(null);
  const [problems, setProblems] = useState<Map<string, string>>(new Map());
  const [message, setMessage] = useState<NoteMessage | null>(null);
  const [raw, setRaw] = useState('');
  const [rawMessage, setRawMessage] = useState<NoteMessage | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const [loadedSchema, loaded] = await Promise.all([session.client.configSchema(), session.client.config()]);
    setSchema(loadedSchema);
    setCurrent(loaded);
    setDraft(loaded.config);
    setRaw(loaded.text ?? '');
  };
  useEffect(() => {
    load().catch((error: unknown) => setMessage({ text: describeError(error), bad: true }));
  }, [session.client]);

  const groups = useMemo(() => (schema ? formFromSchema(schema) : []), [schema]);
  const governor = groups.find((group) => group.path === 'governor');
  const policy = draft ? String(valueAt(draft, 'governor.policy')) : 'dynamic';
  const policyField = governor?.fields.find((field) => field.key === 'policy');

  async function save(body: Config | string, onMessage: (message: NoteMessage) => void) {
    if (!session.hasToken) return session.askForToken();
    setBusy(true);
    try {
      const saved = await session.client.updateConfig(body);
      setProblems(new Map());
      onMessage({ text: savedText(saved), bad: false });
      await load();
      props.afterSave();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) session.tokenRefused();
      const byPath = error instanceof ApiError ? problemsByPath(error.details) : new Map<string, string>();
      setProblems(byPath);
      onMessage({ text: byPath.size > 0 ? `govd refused the config: ${[...byPath].map(([path, problem]) => `${path}: ${problem}`).join('; ')}` : describeError(error), bad: true });
    } finally {
      setBusy(false);
    }
  }

  if (!draft || !governor || !policyField) {
    return (
      <section aria-labelledby="policy-title" class="wide">
        <h2 id="policy-title">Policy</h2>
        <p class={message?.bad ? 'bad' : 'dim'}>{message?.text ?? 'Loading the config…'}</p>
      </section>
    );
  }

  const change = (path: string, value: unknown) => {
    setDraft((previous) => withValue(previous, path, value));
    setProblems((previous) => {
      const next = new Map(previous);
      next.delete(path);
      return next;
    });
  };
  const chosen = governor.groups.find((group) => group.path === `governor.${policy}`);
  const others = governor.groups.filter((group) => !POLICY_TABLES.includes(group.path.split('.')[1] ?? ''));

  return (
    <section aria-labelledby="policy-title" class="wide">
      <h2 id="policy-title">Policy</h2>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void save(draft, setMessage);
        }}
      >
        <fieldset class="policies">
          <legend>Policy</legend>
          {policyField.options.map((option) => (
            <label key={option} class="choice">
              <input type="radio" name="policy" value={option} checked={policy === option} onChange={() => change('governor.policy', option)} />
              <span>
                <strong>{option}</strong>
                <span class="help">{governor.groups.find((group) => group.path === `governor.${option}`)?.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {chosen ? (
          <fieldset>
            <legend>{policy} settings</legend>
            <Group group={chosen} draft={draft} problems={problems} onChange={change} />
          </fieldset>
        ) : null}
        <fieldset>
          <legend>Every policy</legend>
          <Group group={governor} draft={draft} problems={problems} onChange={change} skip={(field) => field.key === 'policy'} />
        </fieldset>
        {[...others, ...groups.filter((group) => group.path !== 'governor')].map((group) => (
          <details key={group.path} open={[...problems.keys()].some((path) => path.startsWith(`${group.path}.`))}>
            <summary>
              [{group.path}] <span class="dim">{group.description}</span>
            </summary>
            <Group group={group} draft={draft} problems={problems} onChange={change} />
          </details>
        ))}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            Save and apply
          </button>
          <button type="button" disabled={busy} onClick={() => (setDraft(current?.config ?? draft), setProblems(new Map()), setMessage(null))}>
            Undo changes
          </button>
        </div>
        <p class="help">
          Saving changes only the lines of the keys you changed in {current?.path ?? 'the config file (~/.config/gov/config.toml, created now)'}; your comments and layout stay.
        </p>
        <Note message={message} />
      </form>
      <details class="raw">
        <summary>Edit the file itself (advanced)</summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save(raw, setRawMessage);
          }}
        >
          <label for="raw-config">{current?.path ?? 'No config file yet: what you save here becomes ~/.config/gov/config.toml'}</label>
          <textarea id="raw-config" spellcheck={false} rows={16} value={raw} onInput={(event) => setRaw(event.currentTarget.value)} />
          <div class="row">
            <button type="submit" disabled={busy}>
              Save file
            </button>
          </div>
          <Note message={rawMessage} />
        </form>
      </details>
    </section>
  );
}
