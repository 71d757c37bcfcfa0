/** The simulated cluster's programmatic API (used by `npm run sim` and the engine tests). */
export { missingBinaries, readSimState, simRunning, startSim, stopSim, SIM_BINARIES } from "./cluster";
export type { SimHandle, SimOptions, SimState } from "./cluster";
export { ApiClient, ApiError } from "../../lib/kube-api";
export type { KubeObject } from "../../lib/kube-api";
export { CONTROL_PLANE_NODE } from "./nodes";
export { SIM_CONTEXT } from "./kubeconfig";
export { stackHostnames } from "./stack";
