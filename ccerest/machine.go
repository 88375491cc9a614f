// Package ccerest is a small client of CCE Administration's machine
// inventory REST API (https://<AW>/unifiedconfig/config/machineinventory):
// list, get, create, update, delete and the inventory's status alerts. It
// speaks XML through encoding/xml with the shapes of Cisco's Packaged CCE
// Developer Reference (chapter Machine Inventory API); where the reference
// was not at hand, the choice is marked "assumption" beside it.
//
// It knows nothing of ccewiz's steps: it takes an *http.Client whose TLS
// the caller decided (the AW's certificate trusted explicitly — never
// InsecureSkipVerify) and a password it never logs or puts in an error.
package ccerest

import "encoding/xml"

// Machine types the ECE and WxM integrations touch (the reference lists more).
const (
	TypeECEWebServer   = "ECE_WEB_SERVER"    // main site; create/update/delete
	TypeDCECEWebServer = "DC_ECE_WEB_SERVER" // remote site; create/update/delete
	TypeECE            = "ECE"               // the data server: CCE Administration's GUI only
	TypeExternalECE    = "EXTERNAL_ECE"      // older releases; at most one
	TypeCloudConnect   = "CLOUD_CONNECTOR_PUB"
	TypeCloudConnSub   = "CLOUD_CONNECTOR_SUB" // follows the publisher
	TypeAW             = "CCE_AW"
	TypeFinesse        = "FINESSE"
)

// Service types inside a machine's network.
const (
	// ServiceMachineInfo carries an ECE web server's login (userName,
	// password) and the Application Instance. Assumption: the instance
	// goes in the service's <description>.
	ServiceMachineInfo = "MACHINE_INFO"
)

// Machine is one inventory entry.
type Machine struct {
	XMLName     xml.Name  `xml:"machine" json:"-"`
	RefURL      string    `xml:"refURL,omitempty" json:"refURL,omitempty"`
	ChangeStamp int       `xml:"changeStamp,omitempty" json:"changeStamp,omitempty"`
	Name        string    `xml:"name" json:"name"`
	Type        string    `xml:"type" json:"type"`
	HostName    string    `xml:"hostName,omitempty" json:"hostName,omitempty"`
	VersionInfo string    `xml:"versionInfo,omitempty" json:"versionInfo,omitempty"`
	Networks    []Network `xml:"networks>network" json:"networks,omitempty"`
}

// Network is one of a machine's networks (PUBLIC, PRIVATE).
type Network struct {
	Type     string    `xml:"type" json:"type"`
	Address  string    `xml:"address,omitempty" json:"address,omitempty"`
	Services []Service `xml:"services>service" json:"services,omitempty"`
}

// Service is a service of a machine. The API accepts a password on create
// and update and never returns one; Password is sent only by the client's
// write calls, from the secret they are given, and is never kept here.
type Service struct {
	Type        string `xml:"type" json:"type"`
	Port        int    `xml:"port,omitempty" json:"port,omitempty"`
	UserName    string `xml:"userName,omitempty" json:"userName,omitempty"`
	Password    string `xml:"password,omitempty" json:"-"`
	URI         string `xml:"uri,omitempty" json:"uri,omitempty"`
	Description string `xml:"description,omitempty" json:"description,omitempty"`
}

// Service returns the first service of type t on any network, or nil.
func (m *Machine) Service(t string) *Service {
	for i := range m.Networks {
		for j := range m.Networks[i].Services {
			if m.Networks[i].Services[j].Type == t {
				return &m.Networks[i].Services[j]
			}
		}
	}
	return nil
}

// Page is one page of a list answer. Assumption: <results> with
// <pageInfo> and the machines under <machines>, as the other unifiedconfig
// lists answer.
type Page struct {
	XMLName  xml.Name `xml:"results"`
	PageInfo struct {
		TotalResults   int `xml:"totalResults"`
		ResultsPerPage int `xml:"resultsPerPage"`
		StartIndex     int `xml:"startIndex"`
	} `xml:"pageInfo"`
	Machines []Machine `xml:"machines>machine"`
}

// Status is …/machineinventory/status: the inventory's alerts and its scan.
type Status struct {
	XMLName xml.Name `xml:"status" json:"-"`
	Alerts  []Alert  `xml:"alerts>alert" json:"alerts"`
	Scan    struct {
		LastScan  int64  `xml:"lastScanDateTime" json:"lastScanDateTime"` // milliseconds since 1970
		ScanState string `xml:"scanState" json:"scanState"`
	} `xml:"scanInfo" json:"scanInfo"`
}

// Alert is one inventory alert: what is wrong, on which machine.
type Alert struct {
	Errors  []APIErrorItem `xml:"apiErrors>apiError" json:"errors"`
	Machine struct {
		Host string `xml:"host" json:"host"`
		Type string `xml:"type" json:"type"`
	} `xml:"machine" json:"machine"`
}

// APIErrorItem is one <apiError> of an error answer or an alert.
type APIErrorItem struct {
	Data    string `xml:"errorData" json:"errorData,omitempty"`
	Message string `xml:"errorMessage" json:"errorMessage"`
	Type    string `xml:"errorType" json:"errorType"`
}

// apiErrors is an error answer's body.
type apiErrors struct {
	XMLName xml.Name       `xml:"apiErrors"`
	Errors  []APIErrorItem `xml:"apiError"`
}
