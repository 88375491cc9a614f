package ece

import (
	"fmt"
	"slices"

	"ccewiz/steps"
)

// LocalPaths returns, by answers key, every answer that names a file or
// folder on this machine: what a step opens, reads or writes here. `serve`
// confines each of them to the session's folder, so a key missing here is a
// file any remote admin could read on the server; TestLocalPathsCoversEveryKey
// fails when a new string answer is neither listed here nor declared not a path.
// (sso.keystore_location is not one: it is the path typed into ECE.)
func LocalPaths(a *steps.Answers) map[string][]string {
	m := map[string][]string{
		"certificate.out_dir":     {CertificateOf(a).OutDir},
		"certificate.ca_response": CertificateOf(a).CAResponse,
		"sso.dc_cert_file":        {SSOOf(a).DCCertFile},
		"sso.keystore_file":       {SSOOf(a).KeystoreFile},
		"spog.files":              SpogOf(a).Files,
		"trust.cert_files":        TrustOf(a).CertFiles,
		"inventory.template":      {InventoryOf(a).Template},
		"inventory.aw_cert_file":  {InventoryOf(a).AWCertFile},
	}
	for i, st := range TrustOf(a).Stores {
		m[fmt.Sprintf("trust.stores[%d].path", i)] = []string{st.Path}
	}
	// A store without a path is this machine's own cacerts when the ADS is
	// this machine (localCacerts): a file too, which serve must confine.
	for _, st := range trustStores(a) {
		if st.Path != "" && !slices.ContainsFunc(TrustOf(a).Stores, func(s TrustStore) bool { return s.Path == st.Path }) {
			m["trust.stores["+st.Server+"].path (this machine's own JAVA_HOME cacerts)"] = []string{st.Path}
		}
	}
	return m
}
