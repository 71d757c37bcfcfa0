#!/usr/bin/env node
/* The AI Hub post-renderer while `aihub.running` is false: see postrender.cjs (the init Job is left out). */
require("./postrender.cjs").main({ stopped: true });
