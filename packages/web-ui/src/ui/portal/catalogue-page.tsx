import { useState } from 'preact/hooks';
import { Empty, ErrorBox, Loading } from '../components/feedback.js';
import { Field } from '../components/field.js';
import { JsonBlock } from '../components/json-block.js';
import { PageHeader } from '../components/shell.js';
import { channelsOf } from '../lib/catalogue.js';
import { useAsync } from '../lib/use-async.js';
import { usePortal } from './context.js';

/** Every event type an endpoint can subscribe to, with its channels, JSON Schema and an example payload. */
export function CataloguePage() {
  const { catalogue } = usePortal();
  const types = useAsync(catalogue, []);
  const [q, setQ] = useState('');
  const shown = (types.data ?? []).filter(
    (t) => !q || t.type.toLowerCase().includes(q.toLowerCase()) || (t.description ?? '').toLowerCase().includes(q.toLowerCase()),
  );
  return (
    <section data-testid="event-catalogue" aria-labelledby="catalogue-title">
      <PageHeader
        title={<span id="catalogue-title">Event catalogue</span>}
        sub="The events you can receive: what each means, the shape of its data and an example."
      />
      <div class="toolbar">
        <Field label="Search event types">
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="e.g. mention" />
        </Field>
      </div>
      {types.loading && !types.data && <Loading label="Loading the catalogue…" />}
      <ErrorBox error={types.error} />
      {types.data && shown.length === 0 && <Empty title="No event type matches" />}
      <ul class="catalogue">
        {shown.map((t) => (
          <li key={t.type} class="card" data-testid="event-type" data-event-type={t.type}>
            <div class="card-head">
              <h2 class="mono">{t.type}</h2>
              <span class="chips">
                {channelsOf(t).map((c) => (
                  <span key={c} class="badge info">
                    {c}
                  </span>
                ))}
              </span>
            </div>
            {t.description && <p>{t.description}</p>}
            <div class="grid-2 top">
              <details>
                <summary>Example payload</summary>
                <JsonBlock value={t.example} label={`Example payload of ${t.type}`} />
              </details>
              <details>
                <summary>JSON Schema</summary>
                <JsonBlock value={t.schema} label={`JSON Schema of ${t.type}`} />
              </details>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
