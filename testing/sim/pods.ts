/** What the sim does to pods in a kubelet's place, shared by the stand-ins that end a pod's container themselves. */
import type { ApiClient, KubeObject } from "../../lib/kube-api";

/**
 * Ends a Running pod as a kubelet would once its (single) container exits: phase Succeeded or Failed, the container
 * terminated with `exitCode` and `message` (its termination message), the conditions a kubelet keeps.
 */
export async function endPod(client: ApiClient, pod: KubeObject, exitCode: number, message = ""): Promise<void> {
    const container = (pod.spec?.containers as { name: string; image: string }[])[0];
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const reason = exitCode ? "PodFailed" : "PodCompleted";
    const status = {
        phase: exitCode ? "Failed" : "Succeeded",
        // A merge patch replaces the list: keep the conditions a kubelet keeps (the provider reads them in order).
        conditions: [
            { type: "PodScheduled", status: "True", lastTransitionTime: now },
            { type: "Initialized", status: "True", lastTransitionTime: now },
            { type: "Ready", status: "False", reason, lastTransitionTime: now },
            { type: "ContainersReady", status: "False", reason, lastTransitionTime: now },
        ],
        containerStatuses: [
            {
                name: container.name,
                image: container.image,
                imageID: "",
                ready: false,
                started: false,
                restartCount: 0,
                state: {
                    terminated: {
                        exitCode,
                        reason: exitCode ? "Error" : "Completed",
                        message,
                        startedAt: now,
                        finishedAt: now,
                    },
                },
            },
        ],
    };
    await client.mergePatch(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
        status,
    });
}
