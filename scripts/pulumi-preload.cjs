// Preloaded by `npm run pulumi` (cli/pulumi.ts) into every Node process the Pulumi CLI starts, through
// `NODE_OPTIONS=--require`: the modules of scripts/lazy-modules.cjs load on first use.
"use strict";
require("./lazy-modules.cjs").installLazyLoading();
