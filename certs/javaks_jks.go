package certs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
)

// openJKS checks the digest first (so a wrong password is told apart from a
// damaged structure), walks the structure with bounds checks — keystore-go
// trusts length fields and would allocate whatever a damaged file claims —
// and only then hands the bytes to keystore-go.
func openJKS(data, password []byte) (*Keystore, error) {
	raw, err := walkJKS(data)
	if err != nil {
		return nil, err
	}
	if !jksDigestOK(data, password) {
		return nil, ErrWrongPassword
	}
	pw, err := latin1(password)
	if err != nil {
		return nil, err
	}
	// Ordered aliases make the bytes ccewiz writes the same for the same entries.
	ks := &Keystore{kind: JKS, jks: keystore.New(keystore.WithOrderedAliases())}
	if err := ks.jks.Load(bytes.NewReader(data), pw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotKeystore, err)
	}
	for _, r := range raw {
		ks.entries = append(ks.entries, entryFor(r.alias, r.typ, r.cert, r.created))
	}
	return ks, nil
}

type jksRaw struct {
	alias   string
	typ     string
	created time.Time
	cert    []byte // the trusted certificate, or the first of a key's chain
}

// jksReader reads big-endian fields and fails instead of over-reading.
type jksReader struct {
	b   []byte
	off int
	err error
}

var errShort = errors.New("the file ends in the middle of an entry (truncated?)")

func (r *jksReader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.err = errShort
		return nil
	}
	out := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return out
}

func (r *jksReader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (r *jksReader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *jksReader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

func (r *jksReader) cert(version uint32) []byte {
	if version == 2 {
		typ := r.take(uint64(r.u16()))
		if r.err == nil && string(typ) != "X.509" && string(typ) != "X509" {
			r.err = fmt.Errorf("certificate type %q is not X.509", typ)
			return nil
		}
	}
	return r.take(uint64(r.u32()))
}

func walkJKS(data []byte) ([]jksRaw, error) {
	if len(data) < 12+20 {
		return nil, fmt.Errorf("%w: a JKS file of %d bytes is truncated", ErrNotKeystore, len(data))
	}
	r := &jksReader{b: data[:len(data)-20]}
	r.u32() // magic, checked by DetectKind
	version := r.u32()
	if version != 1 && version != 2 {
		return nil, fmt.Errorf("%w: JKS version %d is unknown", ErrNotKeystore, version)
	}
	n := r.u32()
	// Every entry takes at least 4+2+8+4 bytes; a count beyond that is damage.
	if uint64(n)*18 > uint64(len(data)) {
		return nil, fmt.Errorf("%w: JKS header claims %d entries in %d bytes (damaged)", ErrNotKeystore, n, len(data))
	}
	var out []jksRaw
	for i := uint32(0); i < n && r.err == nil; i++ {
		tag := r.u32()
		alias := string(r.take(uint64(r.u16())))
		created := time.UnixMilli(int64(r.u64()))
		e := jksRaw{alias: alias, created: created}
		switch tag {
		case 1:
			e.typ = PrivateKeyEntry
			r.take(uint64(r.u32())) // the encrypted key, kept as is
			chain := r.u32()
			for j := uint32(0); j < chain && r.err == nil; j++ {
				c := r.cert(version)
				if j == 0 {
					e.cert = c
				}
			}
		case 2:
			e.typ = TrustedCertEntry
			e.cert = r.cert(version)
		default:
			if r.err == nil {
				r.err = fmt.Errorf("entry %d has unknown tag %d", i+1, tag)
			}
		}
		out = append(out, e)
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: JKS entry %d: %v", ErrNotKeystore, len(out), r.err)
	}
	if r.off != len(r.b) {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the last JKS entry (damaged)", ErrNotKeystore, len(r.b)-r.off)
	}
	return out, nil
}
