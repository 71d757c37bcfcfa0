/**
 * Every dynamic provider the program registers serializes with Pulumi's closure serializer, as `pulumi preview` and
 * `up` serialize it into the state: a provider that captured something the serializer refuses (a native handle, a
 * class instance from a bundled module) fails here, without a cluster, and names its type.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { loadConfig } from "../../config/program";
import { buildPlatform } from "../../platform/platform";
import { PLATFORM_SPEC } from "../../platform/spec";
import { mockStack, PROJECT_DIR, settle, stackValues } from "../harness";

const DYNAMIC = "pulumi-nodejs:dynamic/";

/** The serialized provider of each dynamic resource type the stack's program registers. */
async function serializedProviders(stack: string): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    await mockStack(stack, stackValues(stack), ["registry", "aihub", "ingress"]);
    // The recorder drops `__provider` from what it records; read it off the request, as the engine gets it.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const mon: any = pulumi.runtime.getMonitor();
    const register = mon.registerResource.bind(mon);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    mon.registerResource = (req: any, cb: any) => {
        if (req.getType().startsWith(DYNAMIC)) {
            const text = rpc.deserializeProperties(req.getObject()).__provider;
            found.set(req.getType(), typeof text === "object" && text !== null ? text.value : text);
        }
        return register(req, cb);
    };
    await pulumi.runtime.runInPulumiStack(async () =>
        buildPlatform(loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false })),
    );
    await settle();
    return found;
}

describe("dynamic providers", () => {
    it("each serializes into a module whose handler is the provider", async () => {
        const all = new Map([...(await serializedProviders("airgap")), ...(await serializedProviders("research"))]);
        assert.deepEqual([...all.keys()].sort(), [
            "pulumi-nodejs:dynamic/aihub:AdmissionReady",
            "pulumi-nodejs:dynamic/aihub:BundlePush",
            "pulumi-nodejs:dynamic/aihub:CleanupWait",
            "pulumi-nodejs:dynamic/aihub:GeneratedSecret",
            "pulumi-nodejs:dynamic/aihub:SelfSignedCertificate",
        ]);
        for (const [type, text] of all) {
            assert.equal(typeof text, "string", type);
            assert.match(text, /^exports\.handler = /m, type);
            assert.match(text, /\bcreate\b/, type);
        }
    });
});
