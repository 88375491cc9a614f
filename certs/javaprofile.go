package certs

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"ccewiz/javaprops"
)

// JavaProfile is what one Java accepts: its TLS protocols and cipher
// suites and its certificate-path algorithm constraints, from its
// java.security (jdk.tls.disabledAlgorithms, jdk.certpath.disabledAlgorithms).
type JavaProfile struct {
	// Name says which Java: "Java 17 (default java.security)", or the file read.
	Name string
	// Source is the java.security file the profile came from ("" = built in).
	Source string
	// TLSDisabled and CertpathDisabled are the two properties' entries.
	TLSDisabled, CertpathDisabled []string
	// TLS13 is false for a Java 8 before 8u261.
	TLS13 bool
}

// The defaults of Java 17's and of a recent Java 8's java.security.
const (
	java17TLS      = "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH"
	java17Certpath = "MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 1024, DSA keySize < 1024, EC keySize < 224, SHA1 usage SignedJAR & denyAfter 2019-01-01"
	java8TLS       = "SSLv3, TLSv1, TLSv1.1, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL"
	java8Certpath  = "MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 1024, DSA keySize < 1024, EC keySize < 224, SHA1 usage SignedJAR & denyAfter 2019-01-01"
)

func splitEntries(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// Java17 is Java 17 with its default java.security.
func Java17() JavaProfile {
	return JavaProfile{Name: "Java 17 (default java.security)", TLSDisabled: splitEntries(java17TLS), CertpathDisabled: splitEntries(java17Certpath), TLS13: true}
}

// Java8 is a recent Java 8 (8u261 or later) with its default java.security.
func Java8() JavaProfile {
	return JavaProfile{Name: "Java 8u261+ (default java.security)", TLSDisabled: splitEntries(java8TLS), CertpathDisabled: splitEntries(java8Certpath), TLS13: true}
}

// ProfileFromJavaHome reads the java.security of the Java at home (the
// JAVA_HOME of the ADS whose cacerts ccewiz writes): conf/security for 11
// and later, jre/lib/security or lib/security for 8.
func ProfileFromJavaHome(home string) (JavaProfile, error) {
	for _, rel := range []string{filepath.Join("conf", "security", "java.security"), filepath.Join("jre", "lib", "security", "java.security"), filepath.Join("lib", "security", "java.security")} {
		p := filepath.Join(home, rel)
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return JavaProfile{}, fmt.Errorf("read %s: %w", p, err)
		}
		return ProfileFromJavaSecurity(p, b)
	}
	return JavaProfile{}, fmt.Errorf("no java.security under %s (looked in conf/security, jre/lib/security, lib/security); give the JDK or JRE folder", home)
}

// ProfileFromJavaSecurity is the profile a java.security file (its bytes,
// read as Java reads a .properties file) describes.
func ProfileFromJavaSecurity(path string, data []byte) (JavaProfile, error) {
	f, err := javaprops.Parse(data)
	if err != nil {
		return JavaProfile{}, fmt.Errorf("%s: %w", path, err)
	}
	tlsd, ok1 := f.Get("jdk.tls.disabledAlgorithms")
	cpd, ok2 := f.Get("jdk.certpath.disabledAlgorithms")
	if !ok1 || !ok2 {
		return JavaProfile{}, fmt.Errorf("%s has no jdk.tls.disabledAlgorithms or jdk.certpath.disabledAlgorithms: is it a java.security file?", path)
	}
	return JavaProfile{Name: "the Java of " + path, Source: path, TLSDisabled: splitEntries(tlsd), CertpathDisabled: splitEntries(cpd), TLS13: true}, nil
}

// Versions are the TLS versions the profile offers, lowest first.
func (p JavaProfile) Versions() []uint16 {
	var out []uint16
	for _, v := range []struct {
		id   uint16
		name string
	}{{tls.VersionTLS10, "TLSv1"}, {tls.VersionTLS11, "TLSv1.1"}, {tls.VersionTLS12, "TLSv1.2"}, {tls.VersionTLS13, "TLSv1.3"}} {
		if v.id == tls.VersionTLS13 && !p.TLS13 {
			continue
		}
		disabled := false
		for _, e := range p.TLSDisabled {
			disabled = disabled || e == v.name
		}
		if !disabled {
			out = append(out, v.id)
		}
	}
	return out
}

// Suites are the TLS 1.0–1.2 suites of crypto/tls the profile does not
// disable, by Java's decomposition of suite names.
func (p JavaProfile) Suites() []uint16 {
	var out []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if !p.suiteDisabled(cs.Name) {
			out = append(out, cs.ID)
		}
	}
	return out
}

func (p JavaProfile) suiteDisabled(name string) bool {
	kx, cipher, _ := strings.Cut(strings.TrimPrefix(name, "TLS_"), "_WITH_")
	for _, e := range p.TLSDisabled {
		switch {
		case strings.HasSuffix(e, "*"):
			if strings.HasPrefix(name, strings.TrimSuffix(e, "*")) {
				return true
			}
		case e == "ECDH":
			if strings.HasPrefix(kx, "ECDH_") {
				return true // static ECDH, not ECDHE
			}
		case e == "DES":
			if strings.HasPrefix(cipher, "DES_") {
				return true
			}
		case e == "RC4" || e == "3DES_EDE_CBC" || e == "NULL" || e == "anon":
			if strings.Contains(name, e) {
				return true
			}
		case e == name:
			return true
		}
	}
	return false
}

// certpathCheck applies the profile's certificate-path constraints to
// the path (leaf first) and its anchor: a disabled signature digest below
// the anchor, a key below the minimum size anywhere on it. The "jdkCA"
// constraints apply only to chains ending at a CA the JDK ships, which the
// private CAs of these integrations are not; "SignedJAR" ones not to TLS.
func (p JavaProfile) certpathCheck(path []*x509.Certificate, anchor *x509.Certificate) error {
	for _, e := range p.CertpathDisabled {
		alg, rest, _ := strings.Cut(e, " ")
		rest = strings.TrimSpace(rest)
		if strings.Contains(rest, "jdkCA") || strings.Contains(rest, "SignedJAR") || alg == "include" {
			continue
		}
		if strings.HasPrefix(rest, "keySize") {
			min, ok := keySizeLimit(rest)
			if !ok {
				continue
			}
			for _, c := range append(append([]*x509.Certificate{}, path...), anchor) {
				if c == nil {
					continue
				}
				if kind, bits := keySize(c); kind == alg && bits < min {
					return fmt.Errorf("java.security.cert.CertPathValidatorException: Algorithm constraints check failed on keysize limits: %s %d bit key used with certificate: %s (%s: %q in jdk.certpath.disabledAlgorithms)", kind, bits, c.Subject, p.Name, e)
				}
			}
			continue
		}
		if rest != "" && rest != "& usage TLSServer" && rest != "usage TLSServer" {
			continue // a constraint this judge does not know: Java's other uses
		}
		for _, c := range path {
			if c == nil || path[0] == c && anchor == nil {
				continue
			}
			if sigDigest(c.SignatureAlgorithm) == alg {
				return fmt.Errorf("java.security.cert.CertPathValidatorException: Algorithm constraints check failed on signature algorithm: %s (%s in %s; %s: %q in jdk.certpath.disabledAlgorithms)", c.SignatureAlgorithm, name1(c), "the path", p.Name, e)
			}
		}
	}
	return nil
}

func keySizeLimit(rest string) (int, bool) {
	f := strings.Fields(rest)
	if len(f) != 3 || f[0] != "keySize" || f[1] != "<" {
		return 0, false
	}
	n, err := strconv.Atoi(f[2])
	return n, err == nil
}

func keySize(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "EC", k.Curve.Params().BitSize
	}
	return "", 0
}

func sigDigest(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.MD2WithRSA:
		return "MD2"
	case x509.MD5WithRSA:
		return "MD5"
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return "SHA1"
	}
	return ""
}
