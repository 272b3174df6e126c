import type { Channel, EventTypeEntry } from './types.js';

/** The channels a catalogue entry names (the API may give one or a list). */
export function channelsOf(entry: Pick<EventTypeEntry, 'channel'>): string[] {
  return Array.isArray(entry.channel) ? entry.channel : [entry.channel];
}

/** The types a notification endpoint can register on a channel, in catalogue order. */
export function typesForChannel(catalogue: readonly EventTypeEntry[], channel: Channel): string[] {
  return catalogue.filter((e) => channelsOf(e).includes(channel)).map((e) => e.type);
}

/** Catalogue entries grouped by their first channel, groups in first-seen order. */
export function groupByChannel(catalogue: readonly EventTypeEntry[]): [string, EventTypeEntry[]][] {
  const groups = new Map<string, EventTypeEntry[]>();
  for (const e of catalogue) {
    const key = channelsOf(e).join(', ');
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.entries()];
}
