//go:build tools

package tools

import _ "github.com/kubernetes-csi/csi-test/v4/cmd/mock-driver"
