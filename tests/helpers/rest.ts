// REST calls as curl or Python would make them: plain JSON, a Bearer header, nothing of tRPC's envelope.
export interface RestAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RestErrorBody {
  error: {
    message: string;
    code: number;
    data: {
      code: string;
      httpStatus: number;
      appCode: string;
      requestId?: string;
      fieldErrors?: Record<string, string[]>;
      retryAfterSeconds?: number;
    };
  };
}

export async function rest<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    /** e.g. fetchFrom(ip) (helpers/from-ip.ts) for a client of its own address. */
    fetch?: (url: string, init: RequestInit) => Promise<Response>;
  } = {},
): Promise<RestAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await (options.fetch ?? fetch)(`${baseUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** The appCode of a REST error answer ('no error' for a 2xx). */
export function restAppCode(answer: RestAnswer<unknown>): string {
  if (answer.status < 400) return 'no error';
  return (answer.body as RestErrorBody).error.data.appCode;
}
