package certs

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"
	"unicode/utf16"

	"software.sslmate.com/src/go-pkcs12"
)

// PKCS#12 trust stores: go-pkcs12 checks the MAC and decodes the
// certificates, but DecodeTrustStore drops the friendly names — the aliases
// keytool shows and the step reports. p12Bags re-reads the bags to recover
// them (decrypting PBES2/AES, what keytool writes since Java 8u301/11.0.12/17).

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidCertBagID     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidFriendly      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidShroudedKey   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidKeyBag        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	// oidJavaTrusted is Java's trustedKeyUsage attribute: a certificate
	// bag with it is a trustedCertEntry.
	oidJavaTrusted = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}
	oidPBES2       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// maxIterations is Java's own limit (PKCS12KeyStore.MAX_ITERATION_COUNT):
// a damaged or hostile count must not keep ccewiz busy for hours.
const maxIterations = 5_000_000

type p12ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type p12MacData struct {
	Mac        asn1.RawValue
	Salt       []byte
	Iterations int `asn1:"optional,default:1"`
}

type p12PFX struct {
	Version  int
	AuthSafe p12ContentInfo
	MacData  p12MacData `asn1:"optional"`
}

type p12EncryptedData struct {
	Version int
	Info    p12EncryptedContentInfo
}

type p12EncryptedContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Algorithm   pkix.AlgorithmIdentifier
	Content     []byte `asn1:"tag:0,optional"`
}

type p12SafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue  `asn1:"tag:0,explicit"`
	Attributes []p12Attribute `asn1:"set,optional"`
}

type p12Attribute struct {
	ID     asn1.ObjectIdentifier
	Values asn1.RawValue `asn1:"set"`
}

type p12CertBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type p12PBES2Params struct {
	KDF pkix.AlgorithmIdentifier
	Enc pkix.AlgorithmIdentifier
}

type p12PBKDF2Params struct {
	Salt       asn1.RawValue
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

func strictUnmarshal(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return errors.New("trailing data")
	}
	return nil
}

// p12Outer parses the PFX envelope: whether it has a MAC, and the
// authenticated safe's content infos.
func p12Outer(data []byte) (hasMAC bool, safes []p12ContentInfo, err error) {
	var pfx p12PFX
	if err := strictUnmarshal(data, &pfx); err != nil {
		return false, nil, fmt.Errorf("%w: PKCS#12 structure: %v", ErrNotKeystore, err)
	}
	if pfx.Version != 3 || !pfx.AuthSafe.ContentType.Equal(oidData) {
		return false, nil, fmt.Errorf("%w: PKCS#12 version %d or content type %v is not what Java writes", ErrNotKeystore, pfx.Version, pfx.AuthSafe.ContentType)
	}
	if pfx.MacData.Iterations > maxIterations {
		return false, nil, fmt.Errorf("%w: MAC iteration count %d is above Java's limit of %d", ErrNotKeystore, pfx.MacData.Iterations, maxIterations)
	}
	var octets []byte
	if err := strictUnmarshal(pfx.AuthSafe.Content.Bytes, &octets); err != nil {
		return false, nil, fmt.Errorf("%w: PKCS#12 authenticated safe: %v", ErrNotKeystore, err)
	}
	if err := strictUnmarshal(octets, &safes); err != nil {
		return false, nil, fmt.Errorf("%w: PKCS#12 authenticated safe: %v", ErrNotKeystore, err)
	}
	for _, ci := range safes {
		if ci.ContentType.Equal(oidEncryptedData) {
			var ed p12EncryptedData
			if err := strictUnmarshal(ci.Content.Bytes, &ed); err == nil {
				if n := pbes2Iterations(ed.Info.Algorithm); n > maxIterations {
					return false, nil, fmt.Errorf("%w: encryption iteration count %d is above Java's limit of %d", ErrNotKeystore, n, maxIterations)
				}
			}
		}
	}
	return len(pfx.MacData.Mac.FullBytes) > 0, safes, nil
}

func pbes2Iterations(alg pkix.AlgorithmIdentifier) int {
	_, k, ok := pbes2Params(alg)
	if !ok {
		return 0
	}
	return k.Iterations
}

// pbes2Params parses a PBES2 algorithm's parameters and its key
// derivation's, read as PBKDF2's (callers check the KDF's OID when it matters).
func pbes2Params(alg pkix.AlgorithmIdentifier) (p p12PBES2Params, k p12PBKDF2Params, ok bool) {
	if !alg.Algorithm.Equal(oidPBES2) || strictUnmarshal(alg.Parameters.FullBytes, &p) != nil {
		return p, k, false
	}
	if strictUnmarshal(p.KDF.Parameters.FullBytes, &k) != nil {
		return p, k, false
	}
	return p, k, true
}

func openP12(data, password []byte) (*Keystore, error) {
	hasMAC, safes, err := p12Outer(data)
	if err != nil {
		// A DER certificate also starts with a SEQUENCE: say what it is.
		if c, cerr := x509.ParseCertificate(data); cerr == nil {
			return nil, fmt.Errorf("%w: this is a certificate (DER, %s), not a key store; give it as the certificate to import", ErrNotKeystore, c.Subject)
		}
		return nil, err
	}
	pw := string(password)
	if !hasMAC {
		// Java 18+ cacerts: no integrity protection; keytool accepts any password.
		pw = ""
	}
	certs, err := pkcs12.DecodeTrustStore(data, pw)
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return nil, ErrWrongPassword
	case err != nil:
		// go-pkcs12 has no error values for these; its messages are all there is.
		msg := err.Error()
		if strings.Contains(msg, "not marked as trusted") || strings.Contains(msg, "expected only certificate bags") ||
			strings.Contains(msg, "items in the authenticated safe") {
			// A key store: Java's TrustManager still trusts its trusted
			// certificates and each key entry's certificate. Read it so.
			return openP12WithKeys(data, pw, safes)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotKeystore, err)
	}
	ks := &Keystore{kind: PKCS12, passwordless: !hasMAC}
	bags, err := p12Bags(safes, pw)
	if err != nil {
		return nil, err
	}
	if len(bags) != len(certs) {
		return nil, fmt.Errorf("%w: found %d certificate bags but %d certificates", ErrNotKeystore, len(bags), len(certs))
	}
	for i, c := range certs {
		if !bytes.Equal(c.Raw, bags[i].der) {
			return nil, fmt.Errorf("%w: certificate bag %d differs between decoders", ErrNotKeystore, i+1)
		}
		alias := bags[i].alias
		if alias == "" {
			// Java names an entry without friendlyName by its position; keep a stable name.
			alias = fmt.Sprintf("entry-%d", i+1)
		}
		ks.entries = append(ks.entries, entryFor(alias, TrustedCertEntry, c.Raw, time.Time{}))
	}
	return ks, nil
}

type p12Bag struct {
	alias string
	der   []byte
}

// p12Bags reads the certificate bags and their friendly names. The MAC has
// already been verified by go-pkcs12, so the password is right.
func p12Bags(safes []p12ContentInfo, password string) ([]p12Bag, error) {
	var out []p12Bag
	for _, ci := range safes {
		bags, err := p12SafeBags(ci, password)
		if err != nil {
			return nil, err
		}
		for _, b := range bags {
			if !b.ID.Equal(oidCertBagID) {
				continue
			}
			var cb p12CertBag
			if err := strictUnmarshal(b.Value.Bytes, &cb); err != nil {
				return nil, fmt.Errorf("%w: PKCS#12 certificate bag: %v", ErrNotKeystore, err)
			}
			out = append(out, p12Bag{alias: friendlyName(b.Attributes), der: cb.Data})
		}
	}
	return out, nil
}

func friendlyName(attrs []p12Attribute) string {
	for _, a := range attrs {
		if !a.ID.Equal(oidFriendly) {
			continue
		}
		var v asn1.RawValue
		if strictUnmarshal(a.Values.Bytes, &v) != nil || v.Tag != 30 || len(v.Bytes)%2 != 0 {
			return ""
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
		}
		return string(utf16.Decode(u))
	}
	return ""
}

// pbes2Decrypt handles PBES2 with PBKDF2 and AES-CBC, the scheme of every
// keytool since Java 8u301. Older stores (RC2/3DES) can still be listed by a
// newer keytool and converted; ccewiz says so instead of guessing aliases.
func pbes2Decrypt(alg pkix.AlgorithmIdentifier, ct []byte, password string) ([]byte, error) {
	unsupported := fmt.Errorf("%w: PKCS#12 encryption %v is a legacy scheme; convert the store with a current keytool (keytool -importkeystore -srckeystore F -destkeystore F2 -deststoretype PKCS12)", ErrUnsupported, alg.Algorithm)
	p, k, ok := pbes2Params(alg)
	if !ok || !p.KDF.Algorithm.Equal(oidPBKDF2) || k.Salt.Tag != asn1.TagOctetString || k.Iterations < 1 || k.Iterations > maxIterations {
		return nil, unsupported
	}
	var h func() hash.Hash
	switch {
	case len(k.PRF.Algorithm) == 0 || k.PRF.Algorithm.Equal(oidHMACSHA1):
		h = sha1.New
	case k.PRF.Algorithm.Equal(oidHMACSHA256):
		h = sha256.New
	case k.PRF.Algorithm.Equal(oidHMACSHA512):
		h = sha512.New
	default:
		return nil, unsupported
	}
	var keyLen int
	switch {
	case p.Enc.Algorithm.Equal(oidAES128):
		keyLen = 16
	case p.Enc.Algorithm.Equal(oidAES192):
		keyLen = 24
	case p.Enc.Algorithm.Equal(oidAES256):
		keyLen = 32
	default:
		return nil, unsupported
	}
	var iv []byte
	if err := strictUnmarshal(p.Enc.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, unsupported
	}
	key, err := pbkdf2.Key(h, password, k.Salt.Bytes, k.Iterations, keyLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotKeystore, err)
	}
	block, _ := aes.NewCipher(key)
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: encrypted PKCS#12 content has a bad length", ErrNotKeystore)
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > aes.BlockSize || pad > len(plain) {
		return nil, fmt.Errorf("%w: encrypted PKCS#12 content has bad padding", ErrNotKeystore)
	}
	return plain[:len(plain)-pad], nil
}

// marshalP12 encodes a PKCS#12 trust store; a store with a private key
// entry is refused, as ccewiz never rewrites keys.
func marshalP12(ks *Keystore, password []byte) ([]byte, error) {
	ks.parse()
	var list []pkcs12.TrustStoreEntry
	for _, e := range ks.entries {
		if e.Type != TrustedCertEntry {
			return nil, fmt.Errorf("%w: PKCS#12 store with a private key entry (%q); ccewiz only rewrites trust stores", ErrUnsupported, e.Alias)
		}
		if e.Cert == nil {
			return nil, fmt.Errorf("%w: entry %q has a certificate that does not parse", ErrUnsupported, e.Alias)
		}
		list = append(list, pkcs12.TrustStoreEntry{Cert: e.Cert, FriendlyName: e.name})
	}
	if ks.passwordless {
		return pkcs12.Passwordless.EncodeTrustStoreEntries(list, "")
	}
	// Modern2023 is PBES2/AES-256 with an HMAC-SHA-256 MAC: what keytool
	// writes itself since Java 8u301/11.0.12/17.
	return pkcs12.Modern2023.EncodeTrustStoreEntries(list, string(password))
}

// openP12WithKeys reads a PKCS#12 key store as Java's TrustManager does
// (TrustStoreUtil.getTrustedCerts): its trustedCertEntry certificates and
// the first certificate of each key entry are trusted; other certificates
// (the rest of a key's chain) are not. The keys stay encrypted and unread.
// The store opens read-only: writing it back would lose its keys.
func openP12WithKeys(data []byte, pw string, safes []p12ContentInfo) (*Keystore, error) {
	// The MAC: go-pkcs12 checks it for a store with one key.
	if _, _, _, err := pkcs12.DecodeChain(data, pw); errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, ErrWrongPassword
	}
	type bag struct {
		alias, keyID string
		trusted      bool
		der          []byte
	}
	var certBags []bag
	var keys []bag
	for _, ci := range safes {
		bags, err := p12SafeBags(ci, pw)
		if err != nil {
			return nil, err
		}
		for _, b := range bags {
			x := bag{alias: friendlyName(b.Attributes)}
			for _, a := range b.Attributes {
				switch {
				case a.ID.Equal(oidLocalKeyID):
					var id []byte
					if strictUnmarshal(a.Values.Bytes, &id) == nil {
						x.keyID = string(id)
					}
				case a.ID.Equal(oidJavaTrusted):
					x.trusted = true
				}
			}
			switch {
			case b.ID.Equal(oidCertBagID):
				var cb p12CertBag
				if err := strictUnmarshal(b.Value.Bytes, &cb); err != nil {
					return nil, fmt.Errorf("%w: PKCS#12 certificate bag: %v", ErrNotKeystore, err)
				}
				x.der = cb.Data
				certBags = append(certBags, x)
			case b.ID.Equal(oidShroudedKey), b.ID.Equal(oidKeyBag):
				keys = append(keys, x)
			}
		}
	}
	ks := &Keystore{kind: PKCS12, readOnly: true}
	for i, k := range keys {
		for _, c := range certBags {
			if k.keyID != "" && c.keyID == k.keyID {
				alias := firstNonEmpty(k.alias, c.alias, fmt.Sprintf("key-%d", i+1))
				ks.entries = append(ks.entries, entryFor(alias, PrivateKeyEntry, c.der, time.Time{}))
				break
			}
		}
	}
	for i, c := range certBags {
		if c.trusted {
			ks.entries = append(ks.entries, entryFor(firstNonEmpty(c.alias, fmt.Sprintf("entry-%d", i+1)), TrustedCertEntry, c.der, time.Time{}))
		}
	}
	if len(ks.entries) == 0 {
		return nil, fmt.Errorf("%w: this PKCS#12 file holds no certificate Java would trust (no trusted entry, no key with its certificate)", ErrUnsupported)
	}
	return ks, nil
}

// p12SafeBags decrypts (PBES2) and reads one safe of a PKCS#12 file.
func p12SafeBags(ci p12ContentInfo, password string) ([]p12SafeBag, error) {
	var plain []byte
	switch {
	case ci.ContentType.Equal(oidData):
		if err := strictUnmarshal(ci.Content.Bytes, &plain); err != nil {
			return nil, fmt.Errorf("%w: PKCS#12 safe contents: %v", ErrNotKeystore, err)
		}
	case ci.ContentType.Equal(oidEncryptedData):
		var ed p12EncryptedData
		if err := strictUnmarshal(ci.Content.Bytes, &ed); err != nil {
			return nil, fmt.Errorf("%w: PKCS#12 encrypted data: %v", ErrNotKeystore, err)
		}
		var err error
		if plain, err = pbes2Decrypt(ed.Info.Algorithm, ed.Info.Content, password); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: PKCS#12 content type %v", ErrUnsupported, ci.ContentType)
	}
	var bags []p12SafeBag
	if err := strictUnmarshal(plain, &bags); err != nil {
		return nil, fmt.Errorf("%w: PKCS#12 safe bags: %v", ErrNotKeystore, err)
	}
	return bags, nil
}
