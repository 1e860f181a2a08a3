package deployments_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The guide's security table: "Code — No unsafe package". No Go file of
// gobfd's own imports unsafe; the generated protobuf code in pkg/bfdpb is
// protobuf-go's (its runtime needs unsafe) and is left out, as are the
// libraries gobfd uses.
func TestNoUnsafeInOwnCode(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || rel == "bin" || rel == "dist" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		if strings.HasPrefix(filepath.ToSlash(rel), "pkg/bfdpb/") && (strings.HasSuffix(path, ".pb.go") || strings.HasSuffix(path, ".connect.go")) {
			return nil // generated
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "unsafe" {
				t.Errorf("%s imports unsafe", rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 100 {
		t.Fatalf("only %d Go files read: the walk missed the tree", files)
	}
}
