package certs

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"strings"
)

// Chain is a server certificate with its issuers in order: leaf →
// intermediates → root, the order IIS, the PFX and the ADS import expect.
type Chain struct {
	Leaf          *x509.Certificate
	Intermediates []*x509.Certificate
	// Root is the self-signed CA at the top; nil when it was not given
	// (or the leaf is itself self-signed).
	Root *x509.Certificate
	// MissingIssuer names the CA whose certificate was needed to go on but
	// not given ("" when the chain reaches a root or the leaf is self-signed).
	MissingIssuer string
	// Extra holds given certificates that are not part of this chain.
	Extra []*x509.Certificate
	// BrokenLink is set when a certificate named as issuer was given but its
	// signature does not verify the one below (a wrong or re-keyed CA).
	BrokenLink error
}

// Certs returns leaf, intermediates and root, in that order.
func (c *Chain) Certs() []*x509.Certificate {
	out := append([]*x509.Certificate{c.Leaf}, c.Intermediates...)
	if c.Root != nil {
		out = append(out, c.Root)
	}
	return out
}

// CACerts returns the intermediates and root (what the PFX carries beside the leaf).
func (c *Chain) CACerts() []*x509.Certificate { return c.Certs()[1:] }

// maxChain bounds the walk; real web server chains have 2–4 links.
const maxChain = 10

// BuildChain orders pool behind leaf by following issuer names and
// checking each signature, so a chain given in any order comes out
// leaf → root. Certificates of pool that are not in the chain go to Extra.
func BuildChain(leaf *x509.Certificate, pool []*x509.Certificate) *Chain {
	c := &Chain{Leaf: leaf}
	used := map[*x509.Certificate]bool{}
	cur := leaf
	for i := 0; i < maxChain && !IsSelfSigned(cur); i++ {
		var next *x509.Certificate
		for _, cand := range pool {
			if used[cand] || bytes.Equal(cand.Raw, cur.Raw) || !bytes.Equal(cand.RawSubject, cur.RawIssuer) {
				continue
			}
			if err := cur.CheckSignatureFrom(cand); err != nil {
				c.BrokenLink = fmt.Errorf("%q is named as the issuer of %q but does not verify it: %w", cand.Subject, cur.Subject, err)
				continue
			}
			next = cand
			break
		}
		if next == nil {
			if c.BrokenLink == nil {
				c.MissingIssuer = cur.Issuer.String()
			}
			break
		}
		c.BrokenLink = nil
		used[next] = true
		if IsSelfSigned(next) {
			c.Root = next
			break
		}
		c.Intermediates = append(c.Intermediates, next)
		cur = next
	}
	for _, p := range pool {
		if !used[p] && !bytes.Equal(p.Raw, leaf.Raw) {
			c.Extra = append(c.Extra, p)
		}
	}
	return c
}

// Complete finds, among the certificates the CA returned, the one that
// belongs to key and orders the rest behind it. It fails with
// ErrKeyMismatch when none matches — the CA signed another request.
func Complete(key crypto.Signer, certs []*x509.Certificate) (*Chain, error) {
	for _, c := range certs {
		if KeyMatches(c, key) {
			return BuildChain(c, certs), nil
		}
	}
	var names []string
	for _, c := range certs {
		names = append(names, fmt.Sprintf("%q", c.Subject.String()))
	}
	return nil, fmt.Errorf("%w: none of the %d certificate(s) given (%s) carries the public key of this private key; "+
		"the CA signed a request made with another key — use the key saved beside that CSR, or request again", ErrKeyMismatch, len(certs), strings.Join(names, ", "))
}

// PickLeaf guesses the server certificate among certs when no key says
// which: the one that issued none of the others and is not a CA.
func PickLeaf(certs []*x509.Certificate) *x509.Certificate {
	issued := func(c *x509.Certificate) bool {
		for _, o := range certs {
			if o != c && bytes.Equal(o.RawIssuer, c.RawSubject) && !IsSelfSigned(o) {
				return true
			}
		}
		return false
	}
	for _, c := range certs {
		if !c.IsCA && !issued(c) {
			return c
		}
	}
	for _, c := range certs {
		if !issued(c) {
			return c
		}
	}
	if len(certs) == 0 {
		return nil
	}
	return certs[0]
}
