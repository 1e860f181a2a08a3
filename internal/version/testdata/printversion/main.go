// Command printversion prints version.String; the package test builds it
// with -ldflags -X to prove the variables can be set at link time.
package main

import (
	"fmt"

	"github.com/dantte-lp/gobfd/internal/version"
)

func main() { fmt.Println(version.String("printversion")) }
