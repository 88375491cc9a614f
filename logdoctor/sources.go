package logdoctor

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrBadInput marks a path that does not exist or cannot be read as a log
// bundle: the caller's mistake, not a finding.
var ErrBadInput = errors.New("bad input")

// source is one log to read: a file, or an entry of a .zip.
type source struct {
	name string
	size int64
	open func() (io.ReadCloser, error)
}

// Names the guide lists, rotated copies included (eg_log_x.log.12), plus
// .txt and .out for what people rename on the way to a ticket.
var reLogName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\.(log|txt|out)(\.\d+)?$`) })

// IsLogName reports whether a file found in a folder or a .zip is read.
func IsLogName(name string) bool { return reLogName().MatchString(name) }

func isZip(name string) bool { return strings.EqualFold(filepath.Ext(name), ".zip") }

// collect expands paths into sources. Files named explicitly are always
// read; inside folders and .zip bundles only log names are.
func collect(paths []string) (srcs []source, closers []io.Closer, notes []string, err error) {
	addFile := func(p string, size int64) {
		srcs = append(srcs, source{name: inert(p), size: size, open: func() (io.ReadCloser, error) { return os.Open(p) }})
	}
	addZip := func(p string) error {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return fmt.Errorf("%s: not a readable .zip (%v); unzip it and pass the folder", p, err)
		}
		closers = append(closers, zr)
		for _, f := range zr.File {
			if f.FileInfo().IsDir() {
				continue
			}
			switch {
			case isZip(f.Name):
				notes = append(notes, inert(fmt.Sprintf("%s!%s: a .zip inside a .zip is not read; extract it and pass it separately", p, f.Name)))
			case IsLogName(f.Name):
				// Names are shown, never opened by name: a crafted entry name stays inert.
				srcs = append(srcs, source{name: inert(p + "!" + f.Name), size: int64(f.UncompressedSize64), open: f.Open})
			}
		}
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, closers, nil, fmt.Errorf("%w: %s: %v", ErrBadInput, p, errors.Unwrap(err))
		}
		if !st.IsDir() && !st.Mode().IsRegular() {
			// A FIFO would hang the scan, a device never end it.
			return nil, closers, nil, fmt.Errorf("%w: %s is not a regular file (a pipe or a device); give log files, folders or .zip bundles", ErrBadInput, p)
		}
		if !st.IsDir() {
			if isZip(p) {
				if err := addZip(p); err != nil {
					return nil, closers, nil, fmt.Errorf("%w: %v", ErrBadInput, err)
				}
				continue
			}
			addFile(p, st.Size())
			continue
		}
		werr := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: skipped (%v)", q, err))
				return nil
			}
			if d.IsDir() {
				return nil
			}
			switch {
			case isZip(q):
				if err := addZip(q); err != nil {
					notes = append(notes, err.Error())
				}
			case IsLogName(q) && d.Type().IsRegular():
				info, err := d.Info()
				if err != nil {
					notes = append(notes, fmt.Sprintf("%s: skipped (%v)", q, err))
					return nil
				}
				addFile(q, info.Size())
			}
			return nil
		})
		if werr != nil {
			return nil, closers, nil, werr
		}
	}
	return srcs, closers, notes, nil
}

// Scan reads every log under paths and reports the known problems found.
func Scan(ctx context.Context, paths []string, o Options) (*Report, error) {
	srcs, closers, notes, err := collect(paths)
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%w: no log files in %s (read: *.log, *.log.N, *.txt, *.out and .zip bundles); ECE keeps them in {ECE_HOME}\\eService\\logs, PCCE in C:\\icm\\tomcat\\logs",
			ErrBadInput, strings.Join(paths, ", "))
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	results := make([]*fileScan, len(srcs))
	errs := make([]error, len(srcs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, max(1, len(srcs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rc, err := srcs[i].open()
				if err != nil {
					errs[i] = err
					continue
				}
				results[i], errs[i] = scanReader(ctx, srcs[i].name, rc, o)
				rc.Close()
			}
		}()
	}
	for i := range srcs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &Report{PCCEZone: zoneName(o.local())}
	for i, e := range errs {
		switch {
		case e != nil && results[i] == nil:
			notes = append(notes, fmt.Sprintf("%s: skipped (%v)", srcs[i].name, e))
		case e != nil:
			notes = append(notes, fmt.Sprintf("%s: not read to the end (%v); findings above cover what was read", srcs[i].name, e))
		}
	}
	rep.Notes = notes
	rep.merge(results)
	return rep, nil
}

// ScanReader searches one log read from r; name decides its clock.
func ScanReader(ctx context.Context, name string, r io.Reader, o Options) (*Report, error) {
	fs, err := scanReader(ctx, name, r, o)
	if err != nil {
		return nil, err
	}
	rep := &Report{PCCEZone: zoneName(o.local())}
	rep.merge([]*fileScan{fs})
	return rep, nil
}

// fileLess orders names naturally, so eg_log_x.log.2 comes before .log.10.
func fileLess(a, b string) bool {
	ka, na := splitNum(a)
	kb, nb := splitNum(b)
	if ka != kb {
		return ka < kb
	}
	return na < nb
}

func splitNum(s string) (string, int) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return s, -1
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, -1
	}
	return s[:i], n
}

func zoneName(loc *time.Location) string {
	name, off := time.Now().In(loc).Zone()
	return fmt.Sprintf("%s (%s, UTC%+03d:%02d now)", loc, name, off/3600, abs(off%3600)/60)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
