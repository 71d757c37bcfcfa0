/** The MetalLB add-on: LoadBalancer addresses from a pool of the site's network (L2, optionally BGP). */
import { defineAddOn } from "../shared/define";
import { addressCount } from "../../lib/ip-blocks";
import { metallbImages } from "./catalog";
import { MetalLb } from "./component";
import { metallbSchema } from "./schema";

export const metallb = defineAddOn({
    name: "metallb",
    title: "MetalLB: LoadBalancer Service addresses from a pool of the site network",
    requires: [],
    schema: metallbSchema,
    charts: (s) => [{ key: "addons.metallb.chart", path: s.chart }],
    images: (s) => metallbImages(s.version, s.bgp !== undefined),
    build: (s, deps) => {
        const component = new MetalLb(
            "metallb",
            {
                config: s,
                registry: deps.cfg.registry,
                after: deps.mirror ? [deps.mirror] : [],
                kubernetes: deps.cfg.kubernetes,
            },
            deps.kube,
        );
        return {
            component,
            provides: {
                loadBalancer: {
                    ready: component.ready,
                    addressCount: addressCount(s.addresses),
                    addresses: [...s.addresses],
                },
            },
            outputs: { metallbAddresses: component.addresses },
        };
    },
});
