import net from "node:net";
import { send } from "../../src/delivery/send";

/** A raw TCP server on loopback whose close() also ends the connections it holds. */
async function listen(onSocket: (socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}

/**
 * A receiver speaking raw HTTP/1.1: it answers every request with 200 and keeps the connection,
 * except that `dropSecond` connections are reset as the second request on them arrives, as a
 * server does whose idle timeout closes a connection at the moment the sender reuses it.
 */
async function receiver(dropSecond: boolean) {
  let requests = 0;
  let connections = 0;
  const server = await listen((socket) => {
    connections++;
    let onThisSocket = 0;
    socket.on("data", (chunk) => {
      for (const _ of chunk.toString("latin1").matchAll(/POST \//g)) {
        requests++;
        onThisSocket++;
        if (dropSecond && onThisSocket === 2) socket.resetAndDestroy();
        else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok");
      }
    });
  });
  return { ...server, stats: () => ({ requests, connections }) };
}

const post = (url: string) => send({ url, headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 5000 });

describe("sending", () => {
  it("sends again, once, on a fresh connection when a reused one is reset before any answer", async () => {
    const r = await receiver(true);
    try {
      expect(await post(r.url)).toMatchObject({ statusCode: 200, errorClass: null });
      expect(await post(r.url)).toMatchObject({ statusCode: 200, errorClass: null });
      expect(r.stats()).toEqual({ requests: 3, connections: 2 });
    } finally {
      r.close();
    }
  });

  it("reports a reset on a fresh connection as connection_reset, without sending again", async () => {
    let requests = 0;
    const server = await listen((socket) =>
      socket.on("data", () => {
        requests++;
        socket.resetAndDestroy();
      }),
    );
    try {
      const result = await post(server.url);
      expect(result).toMatchObject({ statusCode: null, errorClass: "connection_reset" });
      expect(requests).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe("what the status line decides", () => {
  it("records a 200 whose body is then cut off as succeeded, with the partial excerpt", async () => {
    const server = await listen((socket) => {
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    const r = await send({ url: server.url, headers: {}, body: "{}", timeoutMs: 5000 });
    server.close();
    expect(r).toMatchObject({ statusCode: 200, errorClass: null, errorMessage: null, responseExcerpt: "partial" });
  });

  it("records a 200 whose body stalls as succeeded at the timeout, not as a timeout to retry", async () => {
    const server = await listen((socket) => {
      socket.once("data", () => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nslow"));
    });
    const r = await send({ url: server.url, headers: {}, body: "{}", timeoutMs: 1000 });
    server.close();
    expect(r).toMatchObject({ statusCode: 200, errorClass: null, responseExcerpt: "slow" });
  });

  it("keeps a 500 whose body is cut off an http_error, saying so", async () => {
    const server = await listen((socket) => {
      socket.once("data", () => {
        socket.write("HTTP/1.1 500 Oops\r\ncontent-length: 100\r\n\r\nboom");
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    const r = await send({ url: server.url, headers: {}, body: "{}", timeoutMs: 5000 });
    server.close();
    expect(r.statusCode).toBe(500);
    expect(r.errorClass).toBe("http_error");
    expect(r.errorMessage).toMatch(/^HTTP 500 \(response body cut short: /);
  });
});

describe("a request Node refuses to build", () => {
  it.each([["café ✓"], ["\u0001"], ["a\r\nb"]])(
    "is a failed attempt with a class for the header value %j, never a throw",
    async (value) => {
      const r = await send({ url: "http://127.0.0.1:9/hook", headers: { "x-note": value }, body: "{}", timeoutMs: 1000 });
      expect(r).toMatchObject({ statusCode: null, errorClass: "network_error" });
      expect(r.errorMessage).toMatch(/^request could not be built: /);
    },
  );

  it("is a failed attempt for a URL that does not parse", async () => {
    const r = await send({ url: "not a url", headers: {}, body: "{}", timeoutMs: 1000 });
    expect(r).toMatchObject({ statusCode: null, errorClass: "network_error" });
  });
});

describe("recorded headers", () => {
  it("keeps the sent headers with custom values hidden, and only a few response headers, a location as agents see it", async () => {
    const { recordedRequestHeaders } = await import("../../src/delivery/request");
    const { recordedResponseHeaders } = await import("../../src/delivery/send");
    expect(
      recordedRequestHeaders({ "X-Api-Key": "k", "webhook-id": "evt_1", "content-type": "application/json" }, { "x-api-key": "k" }),
    ).toEqual({
      "X-Api-Key": "(hidden)",
      "webhook-id": "evt_1",
      "content-type": "application/json",
    });
    const base = new URL("https://hooks.example.com/in");
    expect(
      recordedResponseHeaders(
        { "content-type": "text/plain", "set-cookie": ["a=1"], location: "/next?token=t", "x-request-id": "r".repeat(600) },
        base,
      ),
    ).toEqual({ "content-type": "text/plain", location: "https://hooks.example.com/…", "x-request-id": "r".repeat(512) });
  });
});
