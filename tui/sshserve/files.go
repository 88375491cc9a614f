package sshserve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/scp"

	"ccewiz/safefile"
)

// Files move in and out of a user's folder with scp (the classic protocol:
// `scp -O`, since wish speaks no SFTP): the PFX, certificates and scripts
// the steps make go to the web servers, and the CA's answer or a DC's
// certificate come back. The folder is the root: "/" and ".." never leave it,
// symbolic links pointing outside are refused.

// MaxUpload bounds one uploaded file: certificates, keystores and CSV
// templates are kilobytes; a spog_config.js copy or a cacerts a few hundred.
const MaxUpload = 16 << 20

// isSCP reports an scp command and whether it is well formed (wish's
// parser indexes past the end on a bare "scp -f").
func isSCP(cmd []string) (is, ok bool) {
	if len(cmd) == 0 || cmd[0] != "scp" {
		return false, false
	}
	for i, a := range cmd {
		if (a == "-f" || a == "-t") && i+1 >= len(cmd) {
			return true, false
		}
	}
	info := scp.GetInfo(cmd)
	return true, info.Op == scp.OpCopyToClient || info.Op == scp.OpCopyFromClient
}

// scpMiddleware serves scp for the session's user folder; other sessions pass on.
func (s *Server) scpMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if is, _ := isSCP(sess.Command()); !is {
			next(sess)
			return
		}
		dir, err := userDir(s.o.Workdir, sess.User())
		if err != nil {
			wish.Fatalln(sess, "ccewiz serve: "+err.Error())
			return
		}
		h := userFS{root: dir, quota: s.o.UserQuota, keep: s.o.KeepBackups}
		info := scp.GetInfo(sess.Command())
		if info.Op == scp.OpCopyToClient {
			// wish's sender never waits for the client's acknowledgements, so
			// OpenSSH's scp often fails with "lost connection" when the
			// server closes first; ours speaks the protocol in lock step.
			if err := h.send(sess, info); err != nil {
				sendError(sess, err)
				sess.Exit(1)
			}
			return
		}
		scp.Middleware(nil, h)(next)(sess)
	}
}

// send is the source side of the scp protocol: every message is answered
// by the sink (0 ok, 1 warning, 2 error) before the next one.
func (u userFS) send(sess ssh.Session, info scp.Info) error {
	in := bufio.NewReader(sess)
	if err := readAck(in); err != nil { // the sink says it is ready
		return err
	}
	matches, err := u.Glob(sess, info.Path)
	if err != nil {
		return err
	}
	if len(matches) == 0 {
		return fmt.Errorf("%s: no such file", info.Path)
	}
	for _, m := range matches {
		if err := u.sendPath(sess, in, m, info.Recursive); err != nil {
			return err
		}
	}
	return nil
}

func (u userFS) sendPath(w io.Writer, in *bufio.Reader, rel string, recursive bool) error {
	abs, rel, err := u.resolve(rel)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return fmt.Errorf("%s: no such file", rel)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link; not sent", rel)
	}
	if fi.IsDir() {
		if !recursive {
			return fmt.Errorf("%s is a folder; use scp -r", rel)
		}
		if err := msg(w, in, "D%04o 0 %s\n", fi.Mode().Perm(), fi.Name()); err != nil {
			return err
		}
		entries, err := os.ReadDir(abs)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := u.sendPath(w, in, filepath.Join(rel, e.Name()), true); err != nil {
				return err
			}
		}
		return msg(w, in, "E\n")
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a file", rel)
	}
	f, err := os.Open(abs)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, errors.Unwrap(err))
	}
	defer f.Close()
	if err := msg(w, in, "C%04o %d %s\n", fi.Mode().Perm(), fi.Size(), fi.Name()); err != nil {
		return err
	}
	if _, err := io.CopyN(w, f, fi.Size()); err != nil {
		return fmt.Errorf("send %s: %w", rel, err)
	}
	if _, err := w.Write([]byte{0}); err != nil {
		return err
	}
	return readAck(in)
}

// msg writes one protocol line and waits for its acknowledgement.
func msg(w io.Writer, in *bufio.Reader, format string, args ...any) error {
	if _, err := fmt.Fprintf(w, format, args...); err != nil {
		return err
	}
	return readAck(in)
}

func readAck(in *bufio.Reader) error {
	b, err := in.ReadByte()
	if err != nil {
		return fmt.Errorf("scp client went away: %w", err)
	}
	if b == 0 {
		return nil
	}
	line, _ := in.ReadString('\n')
	return fmt.Errorf("scp client: %s", strings.TrimSpace(line))
}

// sendError reports a fatal error the way scp expects it (\2 message \n).
func sendError(w io.Writer, err error) {
	fmt.Fprintf(w, "\x02ccewiz serve: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
}

type userFS struct {
	root  string
	quota int64 // bytes the folder may hold
	keep  int   // backups kept per uploaded file
}

// usage is the bytes the folder's regular files take, backups included.
func (u userFS) usage() int64 {
	var n int64
	filepath.WalkDir(u.root, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// resolve maps a path the client names to one inside the folder.
func (u userFS) resolve(p string) (abs, rel string, err error) {
	rel = filepath.Clean(string(filepath.Separator) + p)[1:]
	if rel == "" {
		rel = "."
	}
	abs = filepath.Join(u.root, rel)
	if err := within(u.root, abs); err != nil {
		return "", "", fmt.Errorf("%s: %w", p, ErrOutside)
	}
	return abs, rel, nil
}

func (u userFS) Glob(_ ssh.Session, pattern string) ([]string, error) {
	abs, _, err := u.resolve(pattern)
	if err != nil {
		return nil, err
	}
	matches, err := filepath.Glob(abs)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		if within(u.root, m) != nil {
			continue
		}
		rel, err := filepath.Rel(u.root, m)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, nil
}

func (u userFS) Mkdir(_ ssh.Session, e *scp.DirEntry) error {
	abs, rel, err := u.resolve(e.Filepath)
	if err != nil {
		return err
	}
	if err := os.Mkdir(abs, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create folder %s: %w", rel, errors.Unwrap(err))
	}
	return nil
}

// Write stores an upload like every file ccewiz changes: the previous
// version backed up, the new one written to a temporary file and renamed.
func (u userFS) Write(_ ssh.Session, e *scp.FileEntry) (int64, error) {
	// wish joins the target and the file name; like OpenSSH's scp, a target
	// that is not an existing folder (a new name, or a file sent again) is
	// the file's name itself.
	target := e.Filepath
	if dir, _, err := u.resolve(filepath.Dir(target)); err == nil && !isDir(dir) {
		target = filepath.Dir(target)
		if parent, _, err := u.resolve(filepath.Dir(target)); err != nil || !isDir(parent) {
			return 0, fmt.Errorf("%s: no such folder", filepath.Dir(target))
		}
	}
	abs, rel, err := u.resolve(target)
	if err != nil {
		return 0, err
	}
	if rel == "." {
		return 0, fmt.Errorf("%s: no such folder", filepath.Dir(e.Filepath))
	}
	if e.Size > MaxUpload {
		return 0, fmt.Errorf("%s: %d bytes is more than ccewiz serve accepts (%d)", rel, e.Size, MaxUpload)
	}
	if used := u.usage(); u.quota > 0 && used+e.Size > u.quota {
		// The replaced file's backup stays, so its bytes count as well.
		return 0, fmt.Errorf("%s: your folder holds %s of the %s it may; remove files you no longer need (old *.bak backups first) and send it again",
			rel, safefile.SizeText(used), safefile.SizeText(u.quota))
	}
	data, err := io.ReadAll(io.LimitReader(e.Reader, e.Size))
	if err != nil {
		return 0, fmt.Errorf("receive %s: %w", rel, err)
	}
	if _, err := safefile.Replace(abs, data, safefile.Options{Perm: 0o600}); err != nil {
		return 0, fmt.Errorf("save %s: %w", rel, err)
	}
	if u.keep > 0 {
		if _, err := safefile.PruneBackups(abs, u.keep); err != nil {
			return 0, fmt.Errorf("%s saved, but %w", rel, err)
		}
	}
	return int64(len(data)), nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
