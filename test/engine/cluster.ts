/** Read-only questions to the simulated cluster's API server, by apiVersion and kind (resolved by discovery). */
import { ApiClient, type KubeObject } from "../../lib/kube-api";

interface ResourceInfo {
    plural: string;
    namespaced: boolean;
}

/** The API path of a group/version: `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
function base(apiVersion: string): string {
    return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** Looks objects up by apiVersion, kind, name and namespace. */
export class ClusterView {
    private readonly discovered = new Map<string, Map<string, ResourceInfo>>();

    constructor(readonly client: ApiClient) {}

    /** The plural and scope of a kind; undefined when the API server does not serve it (e.g. its CRD is gone). */
    async resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
        if (!this.discovered.has(apiVersion)) {
            const list = await this.client.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
                base(apiVersion),
            );
            const kinds = new Map<string, ResourceInfo>();
            for (const r of list?.resources ?? []) {
                if (!r.name.includes("/")) kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced });
            }
            if (list) this.discovered.set(apiVersion, kinds);
            else return undefined;
        }
        return this.discovered.get(apiVersion)!.get(kind);
    }

    /** One object, or undefined. */
    async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
        const r = await this.resource(apiVersion, kind);
        if (!r) return undefined;
        const ns = r.namespaced ? `/namespaces/${namespace ?? "default"}` : "";
        return this.client.get(`${base(apiVersion)}${ns}/${r.plural}/${name}`);
    }

    /** Every object of a kind, in all namespaces. */
    async list(apiVersion: string, kind: string): Promise<KubeObject[]> {
        const r = await this.resource(apiVersion, kind);
        return r ? this.client.list(`${base(apiVersion)}/${r.plural}`) : [];
    }

    /** Forgets discovery (after CRDs came or went). */
    refresh(): void {
        this.discovered.clear();
    }
}
