import { decodeEventRecord, type EventRecord, type InvalidEventReason, type ValidationError } from '@hookstream/schemas';
import type { IHeaders } from 'kafkajs';

/** Why a message of `events` was dead-lettered; the `reason` of its `events.invalid` record. */
export type InvalidReason = InvalidEventReason;

export type AcceptedEvent = { ok: true } & EventRecord;

export interface RejectedMessage {
  ok: false;
  reason: InvalidReason;
  errors: ValidationError[];
}

export type DecodedMessage = AcceptedEvent | RejectedMessage;

export interface RawMessage {
  value: Buffer | null;
  headers?: IHeaders;
}

/**
 * Reads one message of `events` with the record definition of `schemas` (structured or binary
 * CloudEvent, validated against the envelope and the catalogue), in the shape matching reads.
 * Never throws: anything unusable comes back as a rejection with a reason and JSON paths.
 */
export function decodeEventMessage(message: RawMessage): DecodedMessage {
  const decoded = decodeEventRecord(message);
  if (!decoded.ok) return decoded;
  // The record is this call's own new object: marked in place rather than copied per event.
  const accepted = decoded.record as AcceptedEvent;
  accepted.ok = true;
  return accepted;
}
