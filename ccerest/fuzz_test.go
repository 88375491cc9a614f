package ccerest

import (
	"encoding/xml"
	"testing"
)

// FuzzDecodeAnswers: whatever an AW (or something pretending to be one)
// answers, decoding it into the API's shapes never panics, and what
// decodes encodes again.
func FuzzDecodeAnswers(f *testing.F) {
	f.Add([]byte(`<status><alerts><alert><apiErrors><apiError><errorData>CM_PUBLISHER</errorData><errorMessage>CM_PUBLISHER not found on vmhost sideA</errorMessage><errorType>inventory.MissingMachine</errorType></apiError></apiErrors><machine><host>sideA</host><type>CM_PUBLISHER</type></machine></alert></alerts><scanInfo><lastScanDateTime>1374842924017</lastScanDateTime><scanState>Idle</scanState></scanInfo></status>`))
	f.Add([]byte(`<results><pageInfo><totalResults>1</totalResults></pageInfo><machines><machine><refURL>/x/1</refURL><changeStamp>3</changeStamp><name>ece</name><type>ECE_WEB_SERVER</type><networks><network><type>PUBLIC</type><services><service><type>MACHINE_INFO</type><userName>pa</userName></service></services></network></networks></machine></machines></results>`))
	f.Add([]byte(`<apiErrors><apiError><errorType>invalid.changeStamp</errorType></apiError></apiErrors>`))
	f.Add([]byte(`<machine><name>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Status
		if xml.Unmarshal(data, &s) == nil {
			if _, err := xml.Marshal(s); err != nil {
				t.Fatalf("a decoded status does not encode: %v", err)
			}
			_ = s.LastScan()
		}
		var l Page
		if xml.Unmarshal(data, &l) == nil {
			for i := range l.Machines {
				l.Machines[i].Service(ServiceMachineInfo)
			}
		}
		var e apiErrors
		if xml.Unmarshal(data, &e) == nil {
			_ = (&APIError{Op: "x", Status: 400, Errors: e.Errors}).Error()
		}
	})
}
