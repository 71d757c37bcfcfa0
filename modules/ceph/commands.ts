/** Operator commands the stack prints as outputs (facts/rook-ceph.md §2.5). */
import { TOOLBOX_NAME } from "../../catalog/rook-names";

/** Commands for the Ceph status and, when enabled, the dashboard (user `admin`, HTTPS on 8443). */
export function storageCommands(
    namespace: string,
    dashboard: boolean,
): { cephStatus: string; dashboard?: { password: string; portForward: string } } {
    return {
        cephStatus: `kubectl -n ${namespace} exec deploy/${TOOLBOX_NAME} -- ceph -s`,
        dashboard: dashboard
            ? {
                  password: `kubectl -n ${namespace} get secret rook-ceph-dashboard-password -o jsonpath='{.data.password}' | base64 -d`,
                  portForward: `kubectl -n ${namespace} port-forward svc/rook-ceph-mgr-dashboard 8443:8443`,
              }
            : undefined,
    };
}
