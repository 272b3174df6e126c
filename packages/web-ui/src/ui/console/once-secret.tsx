import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** A credential answered once: hidden until the operator asks to see it, kept in memory only. */
export function OnceSecret({ title, secret, children, testId }: { title: string; secret: string; children: ComponentChildren; testId: string }) {
  const [shown, setShown] = useState(false);
  return (
    <div class="notice ok" role="status" data-testid={testId}>
      <strong>{title}.</strong> {children}
      <div class="secret">
        {shown ? (
          <code class="break" data-testid={`${testId}-value`}>
            {secret}
          </code>
        ) : (
          <button type="button" class="button small" onClick={() => setShown(true)}>
            Reveal key
          </button>
        )}
      </div>
    </div>
  );
}
