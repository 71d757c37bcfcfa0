// The kubernetes provider plugin. Its upstream main package embeds generated schema files that the module download
// lacks, so engine/build.ts writes them (schema-embed.json, terraform-mapping-embed.json) into a work copy of this
// folder and builds this package instead.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var mapping []byte

func main() { provider.Serve("kubernetes", version.Version, schema, mapping) }
