import http from "node:http";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * The client address. Sign-up is rate limited per address; each bench user signs up from its own
   * loopback address (Linux routes all of 127.0.0.0/8 to lo), as separate people would.
   */
  localAddress?: string;
}

/** One request on a fresh connection, for setup work (not measured). */
export function request(url: string, { method = "GET", headers = {}, body, localAddress }: HttpRequest = {}): Promise<HttpResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        localAddress,
        agent: false,
        headers: payload === undefined ? headers : { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Like request, but anything other than 2xx is an error naming the call. */
export async function expectOk(url: string, options: HttpRequest = {}): Promise<HttpResponse> {
  const response = await request(url, options);
  if (response.status < 200 || response.status > 299) {
    throw new Error(`${options.method ?? "GET"} ${url} answered ${response.status}: ${response.body.slice(0, 300)}`);
  }
  return response;
}

/** Runs fn over items with at most `width` calls in flight. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
