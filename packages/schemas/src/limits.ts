/**
 * Size limits of the contract. They are part of the schemas (maxLength, maxItems) where a
 * schema can express them; the ones that need the serialized form are enforced by the gateway.
 */

/** Serialized (UTF-8 JSON) size cap of an event's `data`. The gateway enforces it before validation. */
export const MAX_EVENT_DATA_BYTES = 256 * 1024;

/**
 * Nesting levels a JSON document may have (an event, a webhook body; a batch array adds one):
 * deeper documents are refused before parsing, so no recursive step (validation, serialisation
 * for Kafka, rendering) can run out of stack on them.
 */
export const MAX_JSON_DEPTH = 64;

/** Events accepted in one batch publish request. */
export const MAX_BATCH_EVENTS = 500;

/** Activity `content` summary, as the Jive seed limits it. */
export const MAX_ACTIVITY_CONTENT_CHARS = 500;

export const MAX_URL_LENGTH = 2048;
export const MAX_ID_LENGTH = 256;
export const MAX_NAME_LENGTH = 256;
export const MAX_TITLE_LENGTH = 1024;
export const MAX_DESCRIPTION_LENGTH = 4096;
/** A comment's HTML-encoded text; generous because the 256 KiB data cap is the real bound. */
export const MAX_COMMENT_TEXT_LENGTH = 65_536;
export const MAX_SECRET_LENGTH = 4096;
export const MAX_ERROR_TEXT_LENGTH = 4096;
/** Errors reported per validation: enough to fix an input, bounded for a huge bad payload. */
export const MAX_REPORTED_ERRORS = 100;

/** Byte length of `data` once serialized as JSON, to compare with {@link MAX_EVENT_DATA_BYTES}. */
export function eventDataByteLength(data: unknown): number {
  return Buffer.byteLength(JSON.stringify(data) ?? '', 'utf8');
}
