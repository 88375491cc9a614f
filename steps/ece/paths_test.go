package ece

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"ccewiz/secret"
	"ccewiz/steps"
)

// notLocalPaths are the string answers that name no file on this machine.
// A new string answer must go either here or in LocalPaths: `serve`
// confines only the listed paths, so a forgotten one is a file any remote
// admin could read on the server.
var notLocalPaths = []string{
	"profile.pcce_version", "profile.ece_version", "profile.ece_et", "profile.ece_shape",
	"profile.load_balancer", "profile.load_balancer_fqdn", "profile.ece_fqdn", "profile.web_servers",
	"profile.app_servers", "profile.services_servers", "profile.admin_data_servers", "profile.site",
	"profile.peripheral_set", "profile.instance",
	"certificate.mode", "certificate.sans", "certificate.o", "certificate.ou", "certificate.l",
	"certificate.st", "certificate.c",
	"sso.dc_addr", "sso.trust", "sso.ldap_url", "sso.dn_attribute", "sso.base", "sso.bind_dn",
	"sso.keystore_location", // the Windows path typed into ECE, never opened here
	"sso.test_user",
	"spog.protocol",
	"trust.stores[0].server",
	"inventory.web_server_name", "inventory.data_servers", "inventory.user", "inventory.app_instance",
	"inventory.aw", "inventory.api_user",
	"integration.awdb_server", "integration.awdb_name", "integration.awdb_auth", "integration.agent_pgs",
	"validation.test_agent",
	"report.customer", "report.site",
	"flows.ece.progress.current", "flows.ece.progress.done",
	// What was written, recorded for the report: listed, never opened.
	"flows.ece.progress.written[0].path", "flows.ece.progress.written[0].backup",
}

// fillStrings sets every string and []string answer reachable from v to a
// value unique to its key (slices of structs get one element), and returns
// the keys. Password sources (secret.Ref) are serve's checkRefs' business.
func fillStrings(v reflect.Value, key string, keys map[string]string) {
	switch v.Kind() {
	case reflect.Pointer:
		fillStrings(v.Elem(), key, keys)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(secret.Ref{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			ft := v.Type().Field(i)
			name := strings.Split(ft.Tag.Get("yaml"), ",")[0]
			fillStrings(v.Field(i), strings.TrimPrefix(key+"."+name, "."), keys)
		}
	case reflect.String:
		val := fmt.Sprintf("value-of-%s", key)
		v.SetString(val)
		keys[key] = val
	case reflect.Slice:
		switch v.Type().Elem().Kind() {
		case reflect.String:
			val := fmt.Sprintf("value-of-%s", key)
			v.Set(reflect.ValueOf([]string{val}))
			keys[key] = val
		case reflect.Struct:
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			fillStrings(v.Index(0), key+"[0]", keys)
		}
	}
}

func TestLocalPathsCoversEveryKey(t *testing.T) {
	a := steps.NewAnswers()
	keys := map[string]string{}
	fillStrings(reflect.ValueOf(a), "", keys)
	_, _, _, _, _, _, _, _ = ProfileOf(a), CertificateOf(a), SSOOf(a), SpogOf(a), TrustOf(a), InventoryOf(a), IntegrationOf(a), ValidationOf(a) // every section in a
	for _, sec := range sections {
		fillStrings(reflect.ValueOf(steps.SectionValues(a)[sec.key]), sec.key, keys)
	}
	fillStrings(reflect.ValueOf(State(a)), "flows.ece", keys)
	got := LocalPaths(a)
	for key, val := range keys {
		listed := slices.Contains(got[key], val)
		switch {
		case listed && slices.Contains(notLocalPaths, key):
			t.Errorf("%s is both in LocalPaths and in notLocalPaths", key)
		case !listed && !slices.Contains(notLocalPaths, key):
			t.Errorf("answer %s is neither in LocalPaths (a file or folder on this machine) nor in notLocalPaths: "+
				"decide which, or `ccewiz serve` lets a remote admin use it on any server file", key)
		}
	}
	for key := range got {
		if _, ok := keys[key]; !ok {
			t.Errorf("LocalPaths lists %s, which is not an answers key", key)
		}
	}
}
