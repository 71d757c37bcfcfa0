/** Free TCP ports on loopback, found by asking the kernel (never fixed numbers). */
import * as net from "node:net";

/** The loopback address every simulated component binds to. */
export const LOOPBACK = "127.0.0.1";

/**
 * Returns `count` distinct free ports on 127.0.0.1. All probe sockets stay open until every port is known, so the
 * kernel cannot hand out the same port twice; another process may still take one before the caller binds it.
 */
export async function freePorts(count: number): Promise<number[]> {
    const servers: net.Server[] = [];
    try {
        const ports: number[] = [];
        for (let i = 0; i < count; i++) {
            const server = net.createServer();
            servers.push(server);
            await new Promise<void>((resolve, reject) => {
                server.once("error", reject);
                server.listen(0, LOOPBACK, () => resolve());
            });
            ports.push((server.address() as net.AddressInfo).port);
        }
        return ports;
    } finally {
        await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    }
}
