package certs

// The JKS format, read and written here rather than through keystore-go
// (which the tests keep as an independent reader). An import into a JDK's
// cacerts changes one entry out of ~150, and keystore-go decodes and
// re-encodes all of them, twice with the verification: in a fresh process
// that was most of the time of `ccewiz keystore import`. Here the entries
// Java wrote are copied byte for byte, only new ones are encoded, and a
// private key entry is never decrypted or rebuilt.
//
// Layout (sun.security.provider.JavaKeyStore): magic FEEDFEED, version,
// entry count, the entries, then SHA-1(password as UTF-16BE ‖
// "Mighty Aphrodite" ‖ everything before). Strings are Java's modified
// UTF-8 (DataOutput.writeUTF); certificates are "X.509" + DER in version 2.

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	jksMagic     = 0xFEEDFEED
	jksTagKey    = 1
	jksTagCert   = 2
	jksDigestLen = sha1.Size
)

// jksEntry is one entry as it sits in a JKS file.
type jksEntry struct {
	tag     uint32
	alias   string
	created time.Time
	key     []byte   // tag 1: the protected private key, as Java wrote it
	chain   [][]byte // tag 1: the key's certificate chain; tag 2: the one trusted certificate
	// raw is the whole encoded entry of a version-2 file, written back as
	// it was. Version-1 entries (no certificate type) are re-encoded.
	raw []byte
}

// openJKS walks the structure with bounds checks first — a damaged length
// field is an error, never an allocation of what it claims — then checks
// the digest, so a wrong password is told apart from a damaged file.
func openJKS(data, password []byte) (*Keystore, error) {
	raw, err := walkJKS(data)
	if err != nil {
		return nil, err
	}
	if !jksDigestOK(data, password) {
		return nil, ErrWrongPassword
	}
	return &Keystore{kind: JKS, entries: jksEntries(raw)}, nil
}

// jksEntries describes walked entries; each keeps its jksEntry to be
// written back as it was.
func jksEntries(raw []jksEntry) []Entry {
	out := make([]Entry, 0, len(raw)+1) // room for the usual import of one
	for i := range raw {
		r := &raw[i]
		typ := TrustedCertEntry
		if r.tag == jksTagKey {
			typ = PrivateKeyEntry
		}
		var first []byte
		if len(r.chain) > 0 {
			first = r.chain[0]
		}
		e := entryFor(r.alias, typ, first, r.created)
		e.jks = r
		out = append(out, e)
	}
	return out
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
	out := r.b[r.off : r.off+int(n) : r.off+int(n)]
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

func (r *jksReader) utf() string {
	b := r.take(uint64(r.u16()))
	if r.err != nil {
		return ""
	}
	s, err := decodeJavaUTF(b)
	if err != nil {
		r.err = err
	}
	return s
}

func (r *jksReader) cert(version uint32) []byte {
	if version == 2 {
		if typ := r.utf(); r.err == nil && typ != "X.509" && typ != "X509" {
			r.err = fmt.Errorf("certificate type %q is not X.509", typ)
			return nil
		}
	}
	return r.take(uint64(r.u32()))
}

func walkJKS(data []byte) ([]jksEntry, error) {
	if len(data) < 12+jksDigestLen {
		return nil, fmt.Errorf("%w: a JKS file of %d bytes is truncated", ErrNotKeystore, len(data))
	}
	r := &jksReader{b: data[:len(data)-jksDigestLen]}
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
	out := make([]jksEntry, 0, n)
	for i := uint32(0); i < n && r.err == nil; i++ {
		start := r.off
		e := jksEntry{tag: r.u32(), alias: r.utf(), created: time.UnixMilli(int64(r.u64()))}
		switch e.tag {
		case jksTagKey:
			e.key = r.take(uint64(r.u32()))
			// The count is bounded by the bytes left: each certificate takes at least 4.
			count := r.u32()
			if r.err == nil && uint64(count)*4 > uint64(len(r.b)-r.off) {
				r.err = fmt.Errorf("a chain of %d certificates cannot fit in the %d bytes left", count, len(r.b)-r.off)
			}
			for j := uint32(0); j < count && r.err == nil; j++ {
				e.chain = append(e.chain, r.cert(version))
			}
		case jksTagCert:
			e.chain = [][]byte{r.cert(version)}
		default:
			if r.err == nil {
				r.err = fmt.Errorf("unknown tag %d", e.tag)
			}
		}
		if version == 2 && r.err == nil {
			e.raw = r.b[start:r.off:r.off]
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

// marshalJKS encodes entries as a version-2 JKS protected by password.
func marshalJKS(entries []Entry, password []byte) ([]byte, error) {
	size := 12 + jksDigestLen
	for i := range entries {
		if e := &entries[i]; e.jks != nil && e.jks.raw != nil {
			size += len(e.jks.raw)
		} else {
			size += 64 + len(e.name)*3 + len(e.der)
		}
	}
	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, jksMagic)
	out = binary.BigEndian.AppendUint32(out, 2)
	out = binary.BigEndian.AppendUint32(out, uint32(len(entries)))
	for i := range entries {
		e := &entries[i]
		if e.jks != nil && e.jks.raw != nil {
			out = append(out, e.jks.raw...)
			continue
		}
		var err error
		switch {
		case e.Type == TrustedCertEntry:
			out, err = appendJKSEntry(out, jksTagCert, e.name, e.Created, nil, [][]byte{e.der})
		case e.jks != nil: // a private key entry from a version-1 file
			out, err = appendJKSEntry(out, jksTagKey, e.name, e.Created, e.jks.key, e.jks.chain)
		default:
			err = fmt.Errorf("%w: entry %q of type %s", ErrUnsupported, e.Alias, e.Type)
		}
		if err != nil {
			return nil, err
		}
	}
	return append(out, jksDigest(out, password)...), nil
}

func appendJKSEntry(out []byte, tag uint32, alias string, created time.Time, key []byte, chain [][]byte) ([]byte, error) {
	out = binary.BigEndian.AppendUint32(out, tag)
	out, err := appendJavaUTF(out, alias)
	if err != nil {
		shown := alias
		if r := []rune(alias); len(r) > 40 {
			shown = string(r[:40]) + "…"
		}
		return nil, fmt.Errorf("%w: alias %q: %v; give another one with --alias", ErrUnsupported, shown, err)
	}
	out = binary.BigEndian.AppendUint64(out, uint64(created.UnixMilli()))
	if tag == jksTagKey {
		out = binary.BigEndian.AppendUint32(out, uint32(len(key)))
		out = append(out, key...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(chain)))
	}
	for _, der := range chain {
		out, _ = appendJavaUTF(out, "X.509")
		out = binary.BigEndian.AppendUint32(out, uint32(len(der)))
		out = append(out, der...)
	}
	return out, nil
}

// jksDigest is Java's JKS integrity digest over body.
func jksDigest(body, password []byte) []byte {
	h := sha1.New()
	var two [2]byte
	for _, u := range utf16.Encode([]rune(string(password))) {
		binary.BigEndian.PutUint16(two[:], u)
		h.Write(two[:])
	}
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(body)
	return h.Sum(nil)
}

func jksDigestOK(data, password []byte) bool {
	if len(data) < jksDigestLen {
		return false
	}
	return bytes.Equal(jksDigest(data[:len(data)-jksDigestLen], password), data[len(data)-jksDigestLen:])
}

var errJavaUTF = errors.New("a name is not in Java's modified UTF-8 (damaged)")

// decodeJavaUTF reads DataInput.readUTF's modified UTF-8: UTF-16 units of
// one to three bytes, NUL as C0 80, characters beyond the BMP as two
// encoded surrogates.
func decodeJavaUTF(b []byte) (string, error) {
	ascii := true
	for _, c := range b {
		if c == 0 || c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), nil
	}
	units := make([]uint16, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c != 0 && c < 0x80:
			units = append(units, uint16(c))
			i++
		case c&0xE0 == 0xC0 && i+1 < len(b) && b[i+1]&0xC0 == 0x80:
			units = append(units, uint16(c&0x1F)<<6|uint16(b[i+1]&0x3F))
			i += 2
		case c&0xF0 == 0xE0 && i+2 < len(b) && b[i+1]&0xC0 == 0x80 && b[i+2]&0xC0 == 0x80:
			units = append(units, uint16(c&0x0F)<<12|uint16(b[i+1]&0x3F)<<6|uint16(b[i+2]&0x3F))
			i += 3
		default:
			return "", errJavaUTF
		}
	}
	return string(utf16.Decode(units)), nil
}

// appendJavaUTF writes s as DataOutput.writeUTF does, without the length
// limit's silent truncation: more than 65535 bytes is an error.
func appendJavaUTF(out []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, errors.New("not valid UTF-8")
	}
	lenAt := len(out)
	out = append(out, 0, 0)
	for _, r := range s {
		var units [2]uint16
		u := units[:1]
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			units[0], units[1] = uint16(hi), uint16(lo)
			u = units[:2]
		} else {
			units[0] = uint16(r)
		}
		for _, c := range u {
			switch {
			case c != 0 && c < 0x80:
				out = append(out, byte(c))
			case c < 0x800:
				out = append(out, 0xC0|byte(c>>6), 0x80|byte(c&0x3F))
			default:
				out = append(out, 0xE0|byte(c>>12), 0x80|byte(c>>6&0x3F), 0x80|byte(c&0x3F))
			}
		}
	}
	n := len(out) - lenAt - 2
	if n > 0xFFFF {
		return nil, fmt.Errorf("%d bytes is longer than Java allows (65535)", n)
	}
	binary.BigEndian.PutUint16(out[lenAt:], uint16(n))
	return out, nil
}
