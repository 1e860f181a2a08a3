package flightrec

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Trace files are named gobfd-<UTC time>-<peer>.trace; the fixed-width
// time makes the names sort by age.
const (
	filePrefix = "gobfd-"
	fileSuffix = ".trace"
	timeFormat = "20060102T150405.000Z"
)

// fileName is the name of a trace written at t for a failure of peer
// (IPv6 colons and a zone's % become _ so the name needs no quoting).
func fileName(t time.Time, peer netip.Addr) string {
	p := strings.Map(func(r rune) rune {
		if r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, peer.String())
	return filePrefix + t.UTC().Format(timeFormat) + "-" + p + fileSuffix
}

// writeFile writes what src produces to dir/name through a temporary file
// renamed into place, so a trace file is never seen half-written.
func writeFile(dir, name string, src func(io.Writer) (int64, error)) (path string, n int64, err error) {
	f, err := os.CreateTemp(dir, ".gobfd-*.partial")
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 256<<10)
	if n, err = src(w); err != nil {
		return "", n, err
	}
	if err = w.Flush(); err != nil {
		return "", n, err
	}
	if err = f.Chmod(0o640); err != nil {
		return "", n, err
	}
	if err = f.Close(); err != nil {
		return "", n, err
	}
	path = filepath.Join(dir, name)
	if err = os.Rename(f.Name(), path); err != nil {
		return "", n, err
	}
	return path, n, nil
}

// traceFiles lists the trace files in dir, oldest first.
func traceFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if n := e.Name(); e.Type().IsRegular() && strings.HasPrefix(n, filePrefix) && strings.HasSuffix(n, fileSuffix) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// staleAfter is when a partial file is a crash's leftover, not a write in
// progress (of this daemon or another one sharing the directory).
const staleAfter = time.Hour

// prune deletes the oldest trace files of dir beyond keep, and partial
// files a crash left behind.
func prune(dir string, keep int) error {
	names, err := traceFiles(dir)
	if err != nil {
		return err
	}
	var errs []string
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil && !os.IsNotExist(err) {
			errs = append(errs, err.Error())
		}
		names = names[1:]
	}
	partial, _ := filepath.Glob(filepath.Join(dir, ".gobfd-*.partial"))
	for _, p := range partial {
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > staleAfter {
			os.Remove(p)
		}
	}
	if errs != nil {
		return fmt.Errorf("pruning %s: %s", dir, strings.Join(errs, "; "))
	}
	return nil
}

// checkDir creates dir if needed and checks that files can be created in
// it, so that a bad directory is reported at start, not at the first
// failure.
func checkDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".gobfd-*.partial")
	if err != nil {
		return err
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
