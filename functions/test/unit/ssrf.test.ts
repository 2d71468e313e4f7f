import { blockedRange, resolveTarget, Resolver, targetProblem } from "../../src/delivery/ssrf";
import { send } from "../../src/delivery/send";

const resolver =
  (table: Record<string, string[]>): Resolver =>
  async (host) =>
    (table[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("the SSRF guard", () => {
  it.each([
    ["10.0.0.8", "private"],
    ["172.16.5.4", "private"],
    ["192.168.1.1", "private"],
    ["127.0.0.1", "loopback"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["0.0.0.0", "unspecified"],
    ["240.0.0.1", "reserved"],
    ["192.0.2.1", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["fc00::1", "private (unique local)"],
    ["fd12:3456::1", "private (unique local)"],
    ["ff02::1", "multicast"],
    ["::ffff:10.0.0.1", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["2002:a00:1::", "6to4"],
    ["64:ff9b::a00:1", "rfc6052"],
    // IPv4-compatible (deprecated ::/96): ::127.0.0.1 is written ::7f00:1.
    ["::7f00:1", "non-global IPv6"],
    ["::127.0.0.1", "non-global IPv6"],
    ["::ffff:7f00:1", "loopback"],
    ["::a00:1", "non-global IPv6"],
    ["::8.8.8.8", "non-global IPv6"],
    ["100::1", "discard"],
    ["fec0::1", "deprecatedSiteLocal"],
    ["5f00::1", "segmentRouting"],
    ["4000::1", "non-global IPv6"],
  ])("refuses %s (%s)", (address, range) => {
    expect(blockedRange(address)).toBe(range);
  });

  it.each(["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])("allows the public address %s", (address) => {
    expect(blockedRange(address)).toBeUndefined();
  });

  it("refuses a host that resolves to a private address, naming it", async () => {
    const r = resolver({
      "internal.example.com": ["10.0.0.8"],
      "mixed.example.com": ["93.184.216.34", "192.168.0.10"],
      "ok.example.com": ["93.184.216.34"],
    });
    expect(await targetProblem("https://internal.example.com/hook", r)).toBe(
      "url internal.example.com resolves to private address 10.0.0.8",
    );
    expect(await targetProblem("https://mixed.example.com/hook", r)).toBe("url mixed.example.com resolves to private address 192.168.0.10");
    expect(await targetProblem("https://ok.example.com/hook", r)).toBeUndefined();
    expect(await targetProblem("https://10.1.2.3/hook", r)).toBe("url 10.1.2.3 is a private address");
    expect(await targetProblem("https://[::1]/hook", r)).toBe("url ::1 is a loopback address");
    expect(await targetProblem("https://nowhere.example.com/hook", r)).toBeUndefined();
    expect(await targetProblem("https://[::127.0.0.1]/hook", r)).toBe("url ::7f00:1 is a non-global IPv6 address");
  });

  it("gives the same reason for the same answers in any order", async () => {
    const a = resolver({ "rotating.example.com": ["10.0.0.9", "10.0.0.8"] });
    const b = resolver({ "rotating.example.com": ["10.0.0.8", "10.0.0.9"] });
    expect(await targetProblem("https://rotating.example.com/", a)).toBe(await targetProblem("https://rotating.example.com/", b));
  });

  it("connects to the address it checked, even when the name's answer changes between lookups", async () => {
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? "93.184.216.34" : "127.0.0.1", family: 4 }];
    expect(await resolveTarget("rebind.example.com", rebinding)).toEqual({ address: "93.184.216.34", family: 4 });
    // The second lookup (what a connect-time resolution would see) is refused outright.
    await expect(resolveTarget("rebind.example.com", rebinding)).rejects.toThrow(
      "rebind.example.com resolves to loopback address 127.0.0.1",
    );
  });

  it("makes a guarded send fail as blocked_address without connecting", async () => {
    const r = resolver({ "metadata.example.com": ["169.254.169.254"] });
    const viaName = await send({
      url: "http://metadata.example.com/computeMetadata/v1/",
      headers: {},
      body: "{}",
      timeoutMs: 1000,
      guard: r,
    });
    expect(viaName).toMatchObject({
      statusCode: null,
      errorClass: "blocked_address",
      errorMessage: "metadata.example.com resolves to link-local address 169.254.169.254",
    });
    const literal = await send({ url: "http://127.0.0.1:9/x", headers: {}, body: "{}", timeoutMs: 1000, guard: r });
    expect(literal).toMatchObject({ errorClass: "blocked_address", errorMessage: "127.0.0.1 is a loopback address" });
  });
});
