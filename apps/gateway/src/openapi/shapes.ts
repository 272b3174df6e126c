import type { ParamDoc } from '../http/routes/route.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../http/pagination.js';

type Json = Record<string, unknown>;

/** Building blocks of the route table's documentation (OpenAPI 3.1 objects). */
export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
export const jsonResponse = (schema: Json, description: string): Json => ({ description, content: { 'application/json': { schema } } });
export const errorResponse = (description: string): Json => jsonResponse(ref('Error'), description);

export const EXAMPLE_WEBHOOK_ID = '3f2c9a4e-8d1b-4c7e-9a60-2b5d7e1f0c84';
export const EXAMPLE_DELIVERY_ID = '9b1e6f2a-4c3d-5e8f-a7b6-0c1d2e3f4a5b';

/** A UUID path parameter: a malformed one is refused with a 400 at `/path/<name>` (http/path-params.ts). */
export const idParam = (name: string, description: string, example: string): ParamDoc => ({
  name,
  in: 'path',
  description,
  schema: { type: 'string', format: 'uuid' },
  example,
});
export const fieldsParam: ParamDoc = {
  name: 'fields',
  in: 'query',
  description: 'Comma-separated fields to return (id is always included)',
  schema: { type: 'string' },
};
export const pageParams: ParamDoc[] = [
  { name: 'startIndex', in: 'query', description: 'Zero-based index of the first item', schema: { type: 'integer', minimum: 0, default: 0 } },
  {
    name: 'count',
    in: 'query',
    description: 'Items per page',
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
  },
];
export const notFoundResponse = { '404': errorResponse('Not found (or owned by another tenant)') };
