import type { ComponentChildren } from 'preact';
import { navigate } from '../lib/router.js';

/** An ordinary link (opens in a new tab, copies) that navigates inside the app on a plain click. */
export function Link(props: { href: string; children: ComponentChildren; class?: string; testId?: string; current?: boolean; label?: string }) {
  const { href, children, class: cls, testId } = props;
  return (
    <a
      href={href}
      class={cls}
      data-testid={testId}
      aria-current={props.current ? 'page' : undefined}
      aria-label={props.label}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
