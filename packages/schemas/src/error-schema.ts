import { Type } from '@sinclair/typebox';

/** JSON Schema of {@link ValidationError}, for API error responses. */
export const ValidationErrorSchema = Type.Object(
  {
    path: Type.String({ description: 'JSON Pointer into the input; "" is the root' }),
    message: Type.String(),
    rule: Type.String({ description: 'JSON Schema keyword or named rule that failed' }),
  },
  { title: 'ValidationError', additionalProperties: false },
);
