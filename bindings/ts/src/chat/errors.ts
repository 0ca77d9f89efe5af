// chat/errors.ts: SllmRequestError, the OpenAI-style error of the chat and completions API: a
// request that names an unknown model, uses a field sllm does not support, has a bad value or
// does not fit the model's context. Like the OpenAI SDKs' APIError it has `status`, `type`,
// `code` and `param` (OpenAI's meanings: `code` is a string such as 'model_not_found', not an
// SllmErrorCode), and `error`, the body an OpenAI server would send.

/** What kind of request problem an {@link SllmRequestError} is (OpenAI's `code` values, and sllm's). */
export type SllmRequestErrorCode =
  | 'model_not_found'
  | 'unsupported_parameter'
  | 'unknown_parameter'
  | 'invalid_value'
  | 'context_length_exceeded'
  | 'invalid_chat_template'
  | 'unencodable_text';

/** The body of an OpenAI error response. */
export interface RequestErrorBody {
  message: string;
  type: 'invalid_request_error';
  code: SllmRequestErrorCode;
  param: string | null;
}

/** A chat or completions request that cannot be served; nothing was generated. */
export class SllmRequestError extends Error {
  /** The HTTP status an OpenAI server would answer with (404 for an unknown model, else 400). */
  readonly status: number;
  /** Always 'invalid_request_error'. */
  readonly type = 'invalid_request_error' as const;
  /** What is wrong. */
  readonly code: SllmRequestErrorCode;
  /** The request field at fault (e.g. 'n', 'messages[2].role'), or null. */
  readonly param: string | null;

  /**
   * @param code - what is wrong.
   * @param param - the request field at fault, or null.
   * @param message - what is wrong and what to do.
   */
  constructor(code: SllmRequestErrorCode, param: string | null, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SllmRequestError';
    this.code = code;
    this.param = param;
    this.status = code === 'model_not_found' ? 404 : 400;
  }

  /** The error as an OpenAI server's response body has it. */
  get error(): RequestErrorBody {
    return { message: this.message, type: this.type, code: this.code, param: this.param };
  }

  /** @internal The error as the message of an Error that crosses a worker boundary (which keeps only name and message). */
  static encode(e: SllmRequestError): Error {
    const out = new Error(JSON.stringify(e.error));
    out.name = 'SllmRequestError';
    return out;
  }

  /** @internal The inverse of encode(); undefined when message is not an encoded error. */
  static decode(message: string): SllmRequestError | undefined {
    try {
      const b = JSON.parse(message) as RequestErrorBody;
      if (typeof b.message === 'string' && typeof b.code === 'string')
        return new SllmRequestError(b.code, typeof b.param === 'string' ? b.param : null, b.message);
    } catch {
      // not an encoded error
    }
    return undefined;
  }
}

/** @internal A field sllm does not support (with what it does support). */
export function unsupported(param: string, what: string): SllmRequestError {
  return new SllmRequestError('unsupported_parameter', param, `${param} is not supported by sllm: ${what}`);
}

/** @internal A field with a bad value. */
export function invalidValue(param: string, message: string): SllmRequestError {
  return new SllmRequestError('invalid_value', param, `${param} ${message}`);
}
