import type { ComponentChildren } from 'preact';

/** A labelled control: the label wraps the input, so the input's accessible name is the label. */
export function Field({ label, hint, children, class: cls }: { label: string; hint?: ComponentChildren; children: ComponentChildren; class?: string }) {
  return (
    <label class={cls ? `field ${cls}` : 'field'}>
      <span class="label">{label}</span>
      {children}
      {hint && <span class="hint">{hint}</span>}
    </label>
  );
}
