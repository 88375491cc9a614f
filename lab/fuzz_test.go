package lab

import (
	"testing"

	"github.com/go-ldap/ldap/v3"
)

// FuzzFilter: whatever filter a client sends, evaluating it against the
// lab's directory never crashes the server.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		"(objectClass=*)",
		"(&(objectCategory=person)(objectClass=user)(userPrincipalName=jdoe@example.local))",
		"(|(sAMAccountName=a*)(!(cn=*Doe)))",
		"(userPrincipalName=*@example.local)",
		"(cn>=B)",
		"(userAccountControl:1.2.840.113556.1.4.803:=2)",
		"(objectCategory=)",
	} {
		f.Add(s)
	}
	entries := directoryEntries()
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ldap.CompileFilter(s)
		if err != nil {
			return
		}
		for _, e := range entries {
			matches(p, e)
		}
	})
}
