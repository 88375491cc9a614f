package ldapcfg

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"ccewiz/certs"
	"ccewiz/secret"
)

// PlanKeystore works out the AD keystore (the guide's mydomain.jks): the
// chosen certificate as a trusted entry under alias mydomaincontroller, in
// a new JKS when existing is nil, else added to (or replacing that alias
// in) the existing store, opened with password first. It writes nothing;
// the plan's Data and Verify go to safefile. The Java keystore code is
// certs' — there is one implementation.
func PlanKeystore(existing []byte, password secret.Secret, cert *x509.Certificate) (*certs.ImportPlan, error) {
	if password.IsZero() {
		return nil, errors.New("the AD keystore needs a password: keytool asks for it to change the store (ECE reads its trusted certificates without it)")
	}
	if len(password.Reveal()) < 6 {
		// keytool refuses shorter store passwords; the admin may open the file with it later.
		return nil, errors.New("the AD keystore password must be at least 6 characters (keytool refuses shorter ones)")
	}
	p, err := certs.PlanImport(existing, password.Bytes(), []*x509.Certificate{cert},
		certs.ImportOptions{Alias: KeystoreAlias, Replace: true, Kind: certs.JKS})
	if err != nil {
		return nil, fmt.Errorf("AD keystore: %w", err)
	}
	return p, nil
}

// OpenKeystore opens the AD keystore with its password and returns it; its
// TrustedCerts are what Test must verify the DC with (Options.Roots).
func OpenKeystore(name string, data []byte, password secret.Secret) (*certs.Keystore, error) {
	ks, err := certs.OpenKeystore(data, password.Bytes())
	if err != nil {
		if errors.Is(err, certs.ErrWrongPassword) {
			return nil, fmt.Errorf("keystore %s: wrong password (keystore integrity check failed); use the password it was created with (keytool -storepass)", name)
		}
		return nil, fmt.Errorf("keystore %s: %w", name, err)
	}
	if len(ks.TrustedCerts()) == 0 {
		return nil, fmt.Errorf("keystore %s holds no trusted certificate; import the DC's certificate (alias %s)", name, KeystoreAlias)
	}
	return ks, nil
}

// TrustsChain checks that ks would let Java accept chain from host (the
// same verification the live test makes), returning a *TrustError if not.
func TrustsChain(ks *certs.Keystore, name string, chain []*x509.Certificate, host string, now time.Time) error {
	if te := verifyChain(chain, host, ks.TrustedCerts(), nil, now, "keystore "+name); te != nil {
		return te
	}
	return nil
}
