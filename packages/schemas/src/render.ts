import { canonicalNotificationType, NOTIFICATION_CHANNELS } from './events/notification.js';
import type { NotificationChannel } from './events/notification.js';
import { catalogueEntry } from './events/catalogue.js';
import type { CloudEvent } from './envelope.js';
import type { WebhookSpec } from './webhooks/spec.js';
import { jsonMemberSpans } from './records/json-member-span.js';

export interface RenderOptions {
  /** URI of the webhook, written into activity bodies as `webhook`. */
  webhookUri: string;
  /**
   * Channels to announce in a notification body (see {@link matchingChannels}); defaults to the
   * published ones. Not changed once handed over: `deliveredBodiesOf` recognises a list it saw last by identity.
   */
  channels?: NotificationChannel[];
}

/**
 * The body a partner receives for a validated event: the published data, unchanged (unknown
 * fields included), completed the way each delivered schema requires. Notifications get
 * `event_id` (the CloudEvent id unless the publisher gave one) and the canonical `type`;
 * activities get `webhook`.
 */
export function renderDeliveredBody(event: CloudEvent, options: RenderOptions): Record<string, unknown> {
  const entry = catalogueEntry(event.type);
  if (!entry) throw new Error(`cannot render unknown event type '${event.type}'`);
  const data = event.data;
  if (entry.family !== 'notification') return { ...data, webhook: options.webhookUri };
  return {
    ...data,
    event_id: typeof data.event_id === 'string' ? data.event_id : event.id,
    type: entry.type,
    ...(options.channels ? { channels: options.channels } : {}),
  };
}

/**
 * The seed's channel intersection: the channels a notification asks for on which the webhook
 * registered this type. An empty result means the event is not sent to this webhook.
 */
export function matchingChannels(spec: Pick<WebhookSpec, 'registered_events'>, type: string, requested: readonly string[]): NotificationChannel[] {
  const canonical = canonicalNotificationType(type);
  if (!canonical) return [];
  // "the channel will be removed from this list": the event's order is kept, duplicates dropped.
  const out: NotificationChannel[] = [];
  for (const c of requested) {
    const channel = NOTIFICATION_CHANNELS.find((known) => known === c);
    if (channel && !out.includes(channel) && spec.registered_events[channel].includes(canonical)) out.push(channel);
  }
  return out;
}

/** The serialised bodies of one event, from {@link deliveredBodiesOf}. */
export interface DeliveredBodies {
  /** `JSON.stringify(renderDeliveredBody(event, options))`. */
  render(options: RenderOptions): string;
  /**
   * `render({ webhookUri, channels })` without an options object (`channels` undefined: the
   * published ones). `webhookUriJson`, when the caller keeps it, is `JSON.stringify(webhookUri)`.
   */
  renderFor(webhookUri: string, channels: NotificationChannel[] | undefined, webhookUriJson?: string): string;
}

// Stands for the announced channels in a notification body serialised once per event: the body of
// each channel list is the text around it with the list's JSON in between. Control characters are
// escaped by JSON.stringify, so its JSON text can only come from an equal string, and a body where
// it occurs twice (published data holding it) is serialised in full instead.
const CHANNELS_MARK = '\u0001hookstream:channels\u0002';
const CHANNELS_MARK_JSON = JSON.stringify(CHANNELS_MARK);

const sameChannels = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c, i) => c === b[i]);

// The JSON of the lists of known channels (one or two of them), made once.
const CHANNEL_LISTS_JSON = new Map<string, string>();
for (const a of NOTIFICATION_CHANNELS) {
  CHANNEL_LISTS_JSON.set(a, JSON.stringify([a]));
  for (const b of NOTIFICATION_CHANNELS) CHANNEL_LISTS_JSON.set(`${a}\u0000${b}`, JSON.stringify([a, b]));
}

/** `JSON.stringify(channels)`. */
function channelsJson(channels: readonly string[]): string {
  const known =
    channels.length === 1
      ? CHANNEL_LISTS_JSON.get(channels[0]!)
      : channels.length === 2
        ? CHANNEL_LISTS_JSON.get(`${channels[0]}\u0000${channels[1]}`)
        : undefined;
  return known ?? JSON.stringify(channels);
}

/**
 * The serialised bodies of one event for many webhooks: `render(options)` is exactly
 * `JSON.stringify(renderDeliveredBody(event, options))`, but the event's data is serialised
 * once per event rather than once per webhook (the matcher renders an event for every webhook
 * it matches). A notification's body depends only on the announced channels: the body is
 * serialised once with a mark in place of the channels, and each distinct channel list fills it
 * in; an activity's body is the data with `webhook` appended.
 *
 * `dataJson`, when given, is `event.data` as JSON.stringify wrote it (with or without spacing):
 * its text is spliced into the bodies, and it must not repeat a name (JSON.stringify never does).
 */
export function deliveredBodiesOf(event: CloudEvent, dataJson?: string): DeliveredBodies {
  const entry = catalogueEntry(event.type);
  if (!entry) throw new Error(`cannot render unknown event type '${event.type}'`);
  const full = (webhookUri: string, channels: NotificationChannel[] | undefined) =>
    JSON.stringify(renderDeliveredBody(event, channels ? { webhookUri, channels } : { webhookUri }));
  if (entry.family === 'notification') {
    // [before, after] the mark; null when the mark is not unique in the text.
    let around: [string, string] | null | undefined;
    const withChannels = (channels: NotificationChannel[]): string => {
      if (around === undefined && dataJson !== undefined) around = notificationAround(event, entry.type, dataJson);
      if (around === undefined) {
        const text = full('', [CHANNELS_MARK as NotificationChannel]);
        const at = text.indexOf(CHANNELS_MARK_JSON);
        around = at < 0 || text.indexOf(CHANNELS_MARK_JSON, at + 1) >= 0 ? null : [text.slice(0, at - 1), text.slice(at + CHANNELS_MARK_JSON.length + 1)];
      }
      return around === null ? full('', channels) : `${around[0]}${channelsJson(channels)}${around[1]}`;
    };
    // The lists seen so far and their bodies. The matcher hands the same list to the webhooks that
    // get all of the event's channels and one shared list per single channel, so a list is nearly
    // always found by identity; another list with the same channels is found by its contents.
    const lists: (readonly string[])[] = [];
    const bodies: string[] = [];
    const renderFor = (webhookUri: string, channels: NotificationChannel[] | undefined): string => {
      // Without announced channels the published ones stay where they are: no mark to fill.
      if (channels === undefined) return full(webhookUri, undefined);
      for (let i = 0; i < lists.length; i++) if (lists[i] === channels) return bodies[i]!;
      let body: string | undefined;
      for (let i = 0; i < lists.length && body === undefined; i++) if (sameChannels(lists[i]!, channels)) body = bodies[i]!;
      body ??= withChannels(channels);
      lists.push(channels);
      bodies.push(body);
      return body;
    };
    return { renderFor, render: (options) => renderFor(options.webhookUri, options.channels) };
  }
  // A published `webhook` field keeps its place in the object (the spread overwrites it): only
  // without one is the rendered body the serialised data with one more member at the end.
  if (Object.prototype.hasOwnProperty.call(event.data, 'webhook')) {
    return { renderFor: full, render: (options) => full(options.webhookUri, options.channels) };
  }
  const data = dataJson ?? JSON.stringify(event.data);
  const head = !hasMembers(event.data) ? '{"webhook":' : `${data.slice(0, -1)},"webhook":`;
  const renderFor = (webhookUri: string, _channels?: NotificationChannel[], webhookUriJson?: string): string =>
    `${head}${webhookUriJson ?? JSON.stringify(webhookUri)}}`;
  return { renderFor, render: (options) => renderFor(options.webhookUri) };
}

function hasMembers(data: object): boolean {
  for (const name in data) if (Object.prototype.hasOwnProperty.call(data, name)) return true;
  return false;
}

// The members a notification body sets over the published data, in the order the body adds them.
const NOTIFICATION_MEMBERS = ['event_id', 'type', 'channels'] as const;

/**
 * A notification body's text around its channel list, made from the data's JSON text as the
 * record carried it (`dataJson`) instead of serialising the data again: the members the body sets
 * (`event_id`, `type`, `channels`) have their values replaced where the data has them (the spread
 * of {@link renderDeliveredBody} keeps their place) and are appended otherwise. Undefined when the
 * text cannot be read that way (the caller serialises the parsed data).
 */
function notificationAround(event: CloudEvent, type: string, dataJson: string): [string, string] | undefined {
  // dataJson is what JSON.stringify wrote (the gateway's record): no name repeats, so the scan
  // stops at the last of the members the parsed data has rather than walking all of it.
  let present = 0;
  for (let m = 0; m < NOTIFICATION_MEMBERS.length; m++) if (Object.prototype.hasOwnProperty.call(event.data, NOTIFICATION_MEMBERS[m]!)) present |= 1 << m;
  const spans = jsonMemberSpans(dataJson, NOTIFICATION_MEMBERS, present);
  if (!spans) return undefined;
  const eventId = event.data.event_id;
  // The text of event_id (a published string stays as it came) and type; channels are filled in per list.
  const valueOf = (member: 0 | 1, span?: [number, number]): string =>
    member === 1
      ? JSON.stringify(type)
      : typeof eventId !== 'string'
        ? JSON.stringify(event.id)
        : span
          ? dataJson.slice(span[0], span[1])
          : JSON.stringify(eventId);
  // The text before the channel list goes into `before`, the rest into `after` (joined once each).
  const before: string[] = [];
  const after: string[] = [];
  let pieces = before;
  let from = 0;
  // The members found, in the order of the text: three at most, taken in order by hand rather than
  // through a filtered array, a sort with a comparator and slices of the pieces, per event.
  let taken = 0;
  for (;;) {
    let next = -1;
    for (let m = 0; m < 3; m++) {
      const span = spans[m];
      if (span !== undefined && (taken & (1 << m)) === 0 && (next < 0 || span[0] < spans[next]![0])) next = m;
    }
    if (next < 0) break;
    taken |= 1 << next;
    const span = spans[next]!;
    pieces.push(dataJson.slice(from, span[0]));
    if (next === 2) pieces = after;
    else pieces.push(valueOf(next as 0 | 1, span));
    from = span[1];
  }
  // The rest of the data without its closing brace, then the members it lacks.
  pieces.push(dataJson.slice(from, dataJson.lastIndexOf('}')));
  let members = hasMembers(event.data);
  for (let member = 0; member < 3; member++) {
    if (spans[member] !== undefined) continue;
    pieces.push(`${members ? ',' : ''}"${NOTIFICATION_MEMBERS[member]}":`);
    members = true;
    if (member === 2) pieces = after;
    else pieces.push(valueOf(member as 0 | 1));
  }
  pieces.push('}');
  return [before.join(''), after.join('')];
}
