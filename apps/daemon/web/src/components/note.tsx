/** What an action did, or why it failed: a line screen readers announce. */
export interface NoteMessage {
  text: string;
  bad: boolean;
}

export function Note(props: { message: NoteMessage | null }) {
  return (
    <p class={props.message?.bad ? 'note bad' : 'note'} role="status">
      {props.message?.text ?? ''}
    </p>
  );
}
