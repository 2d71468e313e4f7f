import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Behaviour = (req: Received, n: number, res: http.ServerResponse) => unknown;

export const ok: Behaviour = (_req, _n, res) => {
  res.writeHead(200, { "content-type": "text/plain" }).end("ok");
};

/** A real HTTP receiver on loopback that records every request with its raw body. */
export class Receiver {
  readonly requests: Received[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const received = { at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      this.requests.push(received);
      void Promise.resolve(this.behaviour(received, this.requests.length, res)).catch(() => res.destroy());
    });
  });

  constructor(public behaviour: Behaviour = ok) {}

  async start(port = 0): Promise<string> {
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", r));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  bodies<T = { id: string; event: string; data: Record<string, unknown> }>(): T[] {
    return this.requests.map((r) => JSON.parse(r.body) as T);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
