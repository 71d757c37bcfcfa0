/**
 * Issue 10: property-based tests (fast-check) that generate careless and hostile config input and check that each
 * rule holds. numRuns is capped per property so the file stays within a few seconds; a failure prints its seed.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isInRegistry, mapImage, parseImageRef, registryServerProblem } from "../../lib/imageref";
import { localPvName } from "../../catalog/rook-names";
import { cephDisks } from "../../config/disks";
import { canonicalDevicePath, devicePathProblem } from "../../lib/devices";
import { MAX_DISK_BYTES, MIN_MON_BYTES, MIN_OSD_BYTES, quantityBytes } from "../../lib/quantity";
import { domainProblem } from "../../config/schema";
import { parseStackFile } from "../../config/stackfile";
import { YamlFileError } from "../../lib/yamlfile";
import { airgap, check as checkWith, section } from "./helpers";

const RUNS = { numRuns: 100 };
/** The airgap stack, read once: each run works on a copy. */
const BASE = airgap();
const fresh = () => ({ values: structuredClone(BASE.values), secure: new Set(BASE.secure) });
const check = (values: Record<string, unknown>, secure: ReadonlySet<string> = BASE.secure) => checkWith(values, secure);

/** Characters an admin's paste or an attacker brings along. */
const nasty = fc.constantFrom(
    ..."/.-_:+$;&|`'\"*?[]{}()<> \t\n\r\0\\~!#%^=,@".split(""),
    "\u200b",
    "\u202e",
    "\u00e9",
    "\u0430",
    "..",
    "//",
);
const nameChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-".split(""));
/** Strings mostly of plain name characters with hostile ones mixed in. */
const sloppy = (max: number) =>
    fc
        .array(fc.oneof({ weight: 4, arbitrary: nameChar }, { weight: 1, arbitrary: nasty }), { maxLength: max })
        .map((a) => a.join(""));

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe("property: device paths", () => {
    it("an accepted path is canonical, under /dev, of plain characters and bounded length", () => {
        let accepted = 0;
        fc.assert(
            fc.property(
                fc.oneof(sloppy(40), fc.string({ maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 })),
                (tail) => {
                    const p = `/dev/${tail}`;
                    if (devicePathProblem(p) !== undefined) return;
                    accepted++;
                    assert.match(p, /^\/dev(\/[A-Za-z0-9._:+-]+)+$/);
                    assert.equal(canonicalDevicePath(p), p);
                    assert.ok(!p.split("/").includes(".."));
                    assert.ok(p.length <= 128);
                },
            ),
            { numRuns: 400 },
        );
        assert.ok(accepted > 0, "no generated case was accepted: the property checked nothing");
    });
    it("a config with a generated hostname and device is accepted only when every PV name is a valid Kubernetes name", () => {
        let accepted = 0;
        fc.assert(
            fc.property(
                fc.oneof(sloppy(80), fc.domain()),
                fc.oneof(sloppy(60), fc.stringMatching(/^[A-Za-z0-9._:+-]{1,120}$/)),
                (host, dev) => {
                    const { values } = fresh();
                    const node = section(values, "ceph").nodes[0];
                    node.hostname = host;
                    node.monDisk.path = `/dev/disk/by-id/${dev}`;
                    const r = check(values);
                    if (!r.config) return;
                    accepted++;
                    for (const d of cephDisks(r.config.ceph)) {
                        const name = localPvName(d.hostname, d.role, d.path);
                        assert.ok(name.length <= 253 && DNS_SUBDOMAIN.test(name), name);
                    }
                },
            ),
            RUNS,
        );
        assert.ok(accepted > 0, "no generated config was accepted: the property checked nothing");
    });
    it("the same device on one node is never accepted, however it is spelled", () => {
        const spelling = fc.tuple(fc.constantFrom("/", "//", "/./"), fc.boolean());
        fc.assert(
            fc.property(fc.constantFrom("nvme2n1", "sdb", "disk/by-id/ata-X_1"), spelling, (dev, [sep, trailing]) => {
                const { values } = fresh();
                const node = section(values, "ceph").nodes[1];
                node.monDisk.path = `/dev${sep}${dev}${trailing ? "/" : ""}`;
                node.osdDisks[0].path = `/dev/${dev}`;
                const r = check(values);
                assert.equal(r.config, undefined);
                assert.ok(
                    r.lines.some((l) =>
                        l.includes(`disk /dev/${dev} on worker2 is already used by ceph.nodes[1].monDisk`),
                    ),
                    r.lines.join("\n"),
                );
            }),
            { numRuns: 30 },
        );
    });
});

describe("property: sizes", () => {
    const units = fc.constantFrom("", "k", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "gi", "GB", " Gi");
    const number = fc.oneof(
        fc.nat({ max: 5000 }).map(String),
        fc.double({ min: 0, max: 3000, noNaN: true }).map(String),
    );
    it("an accepted disk size has a unit and lies between the role's minimum and 1Pi", () => {
        let accepted = 0;
        fc.assert(
            fc.property(number, units, fc.boolean(), (n, u, mon) => {
                const size = `${n}${u}`;
                const { values } = fresh();
                const node = section(values, "ceph").nodes[0];
                if (mon) node.monDisk.size = size;
                else node.osdDisks[0].size = size;
                const r = check(values);
                if (!r.config) return;
                accepted++;
                assert.notEqual(u, "");
                const bytes = quantityBytes(size);
                assert.ok(bytes >= (mon ? MIN_MON_BYTES : MIN_OSD_BYTES) && bytes <= MAX_DISK_BYTES, size);
            }),
            RUNS,
        );
        assert.ok(accepted > 0, "no generated case was accepted: the property checked nothing");
    });
});

describe("property: registry addresses and domains", () => {
    const hostish = fc
        .tuple(
            fc.array(sloppy(12), { minLength: 1, maxLength: 4 }).map((l) => l.join(".")),
            fc.option(fc.oneof(fc.integer({ min: -5, max: 70000 }).map(String), sloppy(6))),
            fc.option(sloppy(10)),
        )
        .map(([h, port, project]) => `${h}${port === null ? "" : `:${port}`}${project === null ? "" : `/${project}`}`);
    it("an accepted registry.server gives image references that parse and count as inside it", () => {
        let accepted = 0;
        fc.assert(
            fc.property(hostish, (server) => {
                if (registryServerProblem(server) !== undefined) return;
                accepted++;
                const [hostPort] = server.split("/");
                const host = hostPort.replace(/:\d+$/, "");
                assert.ok(!host.endsWith(".") && !host.split(".").includes(""), server);
                const port = /:(\d+)$/.exec(hostPort)?.[1];
                if (port) assert.ok(Number(port) >= 1 && Number(port) <= 65535, server);
                const mapped = mapImage("quay.io/ceph/ceph:v19.2.3", server);
                assert.equal(parseImageRef(mapped).tag, "v19.2.3");
                assert.ok(isInRegistry(mapped, server), `${mapped} in ${server}`);
            }),
            { numRuns: 400 },
        );
        assert.ok(accepted > 0, "no generated case was accepted: the property checked nothing");
    });
    it("an accepted domain is a DNS name with labels of at most 63 characters and not an IP address", () => {
        let accepted = 0;
        fc.assert(
            fc.property(fc.oneof(hostish, fc.ipV4(), fc.domain()), (d) => {
                if (domainProblem(d) !== undefined) return;
                accepted++;
                assert.ok(d.length <= 253 && DNS_SUBDOMAIN.test(d), d);
                assert.ok(
                    d.split(".").every((l) => l.length <= 63),
                    d,
                );
                assert.ok(!/^[\d.]+$/.test(d), d);
            }),
            { numRuns: 400 },
        );
        assert.ok(accepted > 0, "no generated case was accepted: the property checked nothing");
    });
});

describe("property: keys and secrets", () => {
    const protoKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf");
    it("a prototype name anywhere is an unknown key, and nothing is polluted", () => {
        fc.assert(
            fc.property(
                protoKey,
                fc.constantFrom("top", "registry", "values", "credentials", "mirrors"),
                (key, where) => {
                    const { values } = fresh();
                    const obj = JSON.parse(`{${JSON.stringify(key)}: {"polluted": true}}`);
                    const target =
                        where === "top"
                            ? values
                            : where === "registry"
                              ? section(values, "registry")
                              : where === "values"
                                ? (section(values, "aihub").values = {})
                                : where === "credentials"
                                  ? (section(values, "aihub").credentials = {})
                                  : (section(values, "bundle").upstreamMirrors = {});
                    Object.defineProperty(target, key, { value: obj[key], enumerable: true, configurable: true });
                    const r = check(values);
                    assert.equal(r.config, undefined);
                    assert.ok(
                        r.lines.some((l) => l.includes(`${key}: is not a known key`)),
                        r.lines.join("\n"),
                    );
                    assert.equal(({} as Record<string, unknown>).polluted, undefined);
                },
            ),
            { numRuns: 60 },
        );
    });
    const token = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/).map((s) => `Zq${s}`);
    it("a secret given in plain text is rejected and never echoed", () => {
        fc.assert(
            fc.property(token, fc.constantFrom("password", "credential", "values", "mirror"), (secret, where) => {
                const { values, secure } = fresh();
                const plain = new Set(secure);
                if (where === "password") {
                    section(values, "registry").password = secret;
                    plain.delete("registry.password");
                } else if (where === "credential") section(values, "aihub").credentials = { adminPassword: secret };
                else if (where === "values") section(values, "aihub").values = { aihubDB: { dbPass: secret } };
                else section(values, "bundle").upstreamMirrors = { "quay.io": `ci:${secret}@mirror.corp/quay` };
                const r = check(values, plain);
                assert.equal(r.config, undefined);
                for (const l of r.lines) assert.ok(!l.includes(secret), l);
            }),
            { numRuns: 60 },
        );
    });
});

describe("property: any input", () => {
    it("validation never throws, and every error names a key path and ends with its fix in parentheses", () => {
        const leafPaths = (v: unknown, at: (string | number)[] = []): (string | number)[][] =>
            Array.isArray(v)
                ? v.flatMap((x, i) => leafPaths(x, [...at, i]))
                : v !== null && typeof v === "object"
                  ? Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]))
                  : [at];
        const paths = leafPaths(BASE.values);
        fc.assert(
            fc.property(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 2 }), (i, replacement) => {
                const { values } = fresh();
                const p = paths[i];
                let parent: Record<string | number, unknown> = values;
                for (const seg of p.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
                parent[p[p.length - 1]] = replacement;
                const r = check(values);
                for (const l of r.lines) assert.match(l, /^aihub-airgap:[^\s:]+: .*\)$/s, l);
            }),
            { numRuns: 150 },
        );
    });
    it("a stack file of any text is read or refused with one line, never another error", () => {
        const yamlish = fc
            .array(
                fc.oneof(
                    sloppy(10),
                    fc.constantFrom(
                        "config:",
                        "\n  ",
                        ": ",
                        "- ",
                        "&a ",
                        "*a",
                        "<<: ",
                        "{",
                        "}",
                        "[",
                        "]",
                        "!!str ",
                        "? ",
                        "|",
                        "'",
                        '"',
                        "#",
                    ),
                ),
                {
                    maxLength: 30,
                },
            )
            .map((a) => a.join(""));
        fc.assert(
            fc.property(fc.oneof(yamlish, fc.string({ maxLength: 200 })), (text) => {
                try {
                    parseStackFile(text, "P.yaml");
                } catch (e) {
                    assert.ok(e instanceof YamlFileError, String(e));
                    assert.ok(!e.message.includes("\n"), e.message);
                }
            }),
            { numRuns: 400 },
        );
    });
});
